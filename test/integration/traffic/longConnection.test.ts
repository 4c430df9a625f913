// The flow sensor (ulogd2 NFCT) reports only ended connections; utmd lists open ones with
// conntrack every few seconds. With timeScale 0.001 an hour lasts 3.6 s, so a connection held
// open for 15 s to an address nobody else uses must become a long_connection alert while it is
// still open (evidence stillOpen: true), inside an incident.
import test from 'ava';
import { createLab } from '../../lab/lab.js';
import { startUtmd } from '../../lab/utmd.js';
import { provisioning, trafficConfig, waitIncident } from './helpers.js';

const REMOTE = '192.0.2.150';

test.serial('bridge: a connection held open past the threshold is reported while still open', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const sink = await lab.spawn(lab.ns.wan, [process.execPath, '-e',
    `require('net').createServer((s)=>{s.on('error',()=>{});s.resume();}).listen(8443,'0.0.0.0',()=>console.log('listening'))`]);
  await sink.waitForOutput((o) => o.includes('listening'), { what: 'sink', timeoutMs: 30_000 });
  const utmd = await startUtmd(lab, { config: trafficConfig(lab, { timeScale: 0.001, conntrackPollSeconds: 2 }), provisioning });
  const host = lab.hosts[0]!;
  // Holds one connection for 40 s, a few bytes a second (the test ends it early by destroying the lab).
  await lab.spawn(host.ns, [process.execPath, '-e',
    `const s=require('net').connect(8443,'${REMOTE}');s.on('error',()=>{});const i=setInterval(()=>s.write('x'),1000);setTimeout(()=>{clearInterval(i);s.end();},40000);`]);

  const inc = await waitIncident(utmd, host.v4, 'long_connection', 40_000);
  const a = inc.alerts.find((x) => x.kind === 'long_connection')!;
  t.is(a.remote?.ip, REMOTE);
  t.is(a.evidence['stillOpen'], true, 'found by the conntrack listing, not at the end');
  t.true(Number(a.evidence['durationHours']) >= 1);
});
