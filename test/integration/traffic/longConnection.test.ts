// The flow sensor (ulogd2 NFCT) reports only ended connections; utmd lists open ones with
// conntrack every few seconds (traffic/conntrackList.ts) and hands on those older than the
// long-connection threshold. At real speed: a connection held open through the real box is
// listed by the kernel with its age and growing byte counts, and the poller adapter — run here
// against the box's conntrack, with a seconds-long age floor instead of the shipped hour —
// hands it on as an `update` flow oriented to the office device, while it is still open; utmd's
// own poller lists the box without failing. Whether an open connection that old IS a long
// connection (threshold, popularity, stillOpen evidence, incident) is replayed with a fake clock
// in test/unit/traffic/labStories.test.ts; no assertion here depends on timing.
import test from 'ava';
import { createLab } from '../../lab/lab.js';
import { startUtmd } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import { boxConntrackPoller, provisioning, trafficConfig } from './helpers.js';

const REMOTE = '192.0.2.150';
const MIN_AGE_S = 3;

type Status = { features: { traffic: { conntrack: { polls: number; failures: number; listed: number } } } };

test.serial('bridge: a connection held open is listed with its age and bytes, and handed on as an update while still open', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const sink = await lab.spawn(lab.ns.wan, [process.execPath, '-e',
    `require('net').createServer((s)=>{s.on('error',()=>{});s.resume();}).listen(8443,'0.0.0.0',()=>console.log('listening'))`]);
  await sink.waitForOutput((o) => o.includes('listening'), { what: 'sink', timeoutMs: 30_000 });
  const utmd = await startUtmd(lab, { config: trafficConfig(lab, { conntrackPollSeconds: 1 }), provisioning });
  const host = lab.hosts[0]!;
  // Holds one connection open, a byte at a time, until the lab is destroyed.
  await lab.spawn(host.ns, [process.execPath, '-e',
    `const s=require('net').connect(8443,'${REMOTE}');s.on('error',()=>{});setInterval(()=>s.write('x'),200);`]);

  // The poller adapter against the box's kernel (the same listing utmd runs in the box).
  const { poller, handed } = boxConntrackPoller(lab, REMOTE, MIN_AGE_S * 1000, (m) => t.log(m));
  const first = await waitFor(async () => { await poller.poll(); return handed[0]; }, { what: `the open connection to ${REMOTE} handed on`, timeoutMs: 60_000, intervalMs: 500 });
  t.like(first, { event: 'update', proto: 'tcp', direction: 'outbound', deviceIp: host.v4, remoteIp: REMOTE, remotePort: 8443 });
  t.true(first.end - first.start >= MIN_AGE_S * 1000, `age ${first.end - first.start} ms from the kernel's delta-time`);
  t.true(first.bytesOut > 0 && first.bytesIn > 0);
  t.is(poller.counts.failures, 0);
  // Still open: a later listing shows the same connection (same conntrack id) with more bytes sent.
  const later = await waitFor(async () => {
    await poller.poll();
    const f = handed.at(-1);
    return f && f.ctId === first.ctId && f.bytesOut > first.bytesOut ? f : undefined;
  }, { what: 'the same connection listed again with more bytes', timeoutMs: 30_000, intervalMs: 500 });
  t.is(later.start, first.start, 'one connection, one start');
  t.is(later.event, 'update');

  // utmd's own poller lists the same kernel table, without failures.
  const st = await waitFor(async () => {
    const c = ((await utmd.status()) as Status).features.traffic.conntrack;
    return c.polls >= 2 && c.listed >= 1 ? c : undefined;
  }, { what: "utmd's conntrack poller to list the open connection", timeoutMs: 30_000, intervalMs: 500 });
  t.is(st.failures, 0);
});
