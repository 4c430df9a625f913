// utmd itself over TLS: the provisioning bundle's CA and name choose the tls transport; a
// blocked connection's alert reaches the reference rsyslog numbered, and `utmctl status`
// shows the link (transport, peer, certificate fingerprint, last confirmed number). Then utmd
// is SIGKILLed and restarted on the same state: the next alert gets the next number.
import test from 'ava';
import { join } from 'node:path';
import { createLab } from '../../lab/lab.js';
import { makeTestPki } from '../../lab/testPki.js';
import { startSyslogCollector } from '../../lab/syslogCollector.js';
import { startTcpListener, tcpProbe } from '../../lab/services.js';
import { labProvisioning, labUtmdConfig, startUtmd } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import type { UpstreamStatus } from '../../../firmware/src/upstream/contract.js';

test('utmd over TLS: alerts arrive numbered, the status shows the link, numbers continue after kill -9', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 2 });
  t.teardown(() => lab.destroy());
  const pki = await makeTestPki(join(lab.dir, 'pki'), lab.internet.collector.v4, 'collector.test');
  const collector = await startSyslogCollector(lab, { ca: pki.caFile, ...pki.good });
  const { malware } = lab.internet;
  await startTcpListener(lab, lab.ns.wan, [{ addr: malware.v4, port: 443 }, { addr: malware.v4, port: 8443 }]);
  const { upstream: _udp, ...config } = labUtmdConfig(lab, [malware.v4]);
  const provisioning = labProvisioning('box-tls-0001', { upstream: { host: lab.internet.collector.v4, caPem: pki.caPem, serverName: 'collector.test' } });
  const stateDir = join(lab.dir, 'state');
  let utmd = await startUtmd(lab, { config, provisioning, stateDir });
  await tcpProbe(lab.hosts[0]!.ns, [{ addr: malware.v4, port: 443 }], { timeoutMs: 1500 });
  const first = await waitFor(async () => (await collector.records()).find((r) => r.box === 'box-tls-0001' && r.msgId === 'blocklist_hit'), { what: 'the alert at the collector', timeoutMs: 60_000, intervalMs: 200 });
  t.is(first.sd['utm@32473']?.['remoteIp'], malware.v4);
  const up = await waitFor(async () => {
    const s = (await utmd.status()) as { upstream: UpstreamStatus };
    return s.upstream.lastConfirmedSeq !== null && s.upstream.lastConfirmedSeq >= first.seq ? s.upstream : undefined;
  }, { what: 'the confirmation in utmctl status', timeoutMs: 30_000 });
  t.like(up, { transport: 'tls', peer: `${lab.internet.collector.v4}:6514`, connected: true, queueDepth: 0 });
  t.regex(up.peerCertSha256 ?? '', /^[0-9a-f]{64}$/);

  // kill -9 and restart on the same state dir: numbers are never given twice.
  const before = (await collector.records()).filter((r) => r.box === 'box-tls-0001').map((r) => r.seq);
  process.kill(utmd.proc.pid, 'SIGKILL');
  await waitFor(() => utmd.proc.exitStatus() !== undefined, { what: 'utmd to die', timeoutMs: 10_000 });
  utmd = await startUtmd(lab, { config, provisioning, stateDir });
  t.teardown(() => utmd.stop());
  // Another PC: a new incident, so upstream hears of it (the first PC's incident is already told).
  await tcpProbe(lab.hosts[1]!.ns, [{ addr: malware.v4, port: 8443 }], { timeoutMs: 1500 });
  const after = await waitFor(async () => {
    const recs = (await collector.records()).filter((r) => r.box === 'box-tls-0001' && !before.includes(r.seq));
    return recs.length ? recs : undefined;
  }, { what: 'a message from the restarted utmd', timeoutMs: 60_000, intervalMs: 200 });
  t.true(after.every((r) => r.seq > Math.max(...before)), `new numbers ${after.map((r) => r.seq).join(',')} follow ${Math.max(...before)}`);
});
