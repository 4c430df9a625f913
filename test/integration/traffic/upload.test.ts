// Real flows through the box: an office PC uploads 200 MB to one outside address in a single
// connection. The lab's thresholds file lowers the single-flow floor to 100 MB (the shipped
// floors are 500 MB off-hours / 4 GB in business hours, far too slow to push through a test);
// everything else — conntrack accounting, ulogd2, the detector, pipeline and incident — is real.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { createLab } from '../../lab/lab.js';
import { startUdpCollector } from '../../lab/collector.js';
import { tcpProbe } from '../../lab/services.js';
import { startUtmd } from '../../lab/utmd.js';
import { fastConntrack, pageIncidentIds, pageText, provisioning, trafficConfig, upstreamLines, waitIncident } from './helpers.js';

const thresholdsFile = fileURLToPath(new URL('./fixtures/thresholds-upload100M.json', import.meta.url));
const CLOUD = '198.51.100.77';

test.serial('bridge: a 200 MB upload in one connection is an upload alert, shown as one incident', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const collector = await startUdpCollector(lab);
  // A sink that reads everything (the lab's tcpListen greets and never reads, so it cannot take an upload).
  const sink = await lab.spawn(lab.ns.wan, [process.execPath, '-e',
    `require('net').createServer((s)=>{s.on('error',()=>{});s.resume();}).listen(443,'0.0.0.0',()=>console.log('listening'))`]);
  await sink.waitForOutput((o) => o.includes('listening'), { what: 'upload sink', timeoutMs: 30_000 });
  const utmd = await startUtmd(lab, { config: trafficConfig(lab, { thresholdsFile }), provisioning });
  await fastConntrack(lab);
  const host = lab.hosts[0]!;

  const [r] = await tcpProbe(host.ns, [{ addr: CLOUD, port: 443 }], { timeoutMs: 60_000, sendBytes: 200_000_000 });
  t.is(r?.outcome, 'connected');

  const inc = await waitIncident(utmd, host.v4, 'upload', 60_000);
  const up = inc.alerts.find((a) => a.kind === 'upload')!;
  t.is(up.remote?.ip, CLOUD);
  t.true(Number(up.evidence['flowBytesOut'] ?? up.evidence['bytesOut']) >= 200_000_000, JSON.stringify(up.evidence));

  const lines = await upstreamLines(collector, host.v4, inc.id, 'upload');
  t.is(lines.length, 1);
  t.true(pageIncidentIds(await pageText(lab)).includes(inc.id));
});
