// Real flows through the box, at real speed: an office PC "checks in" with one outside address
// over and over (the traffic a C2 beacon makes). What the kernel path must give the beacon
// detector is each check-in as its own ended flow — device address and MAC, the remote address
// and port, bytes each way and the kernel's start time — through ulogd2 NFCT, oriented to the
// office device. `utmctl flows` shows what utmd judged. Whether such check-ins ARE a beacon
// (score, interval, evidence) and how the incident reaches upstream and the page is replayed
// with a fake clock in test/unit/traffic/labStories.test.ts; no assertion here depends on timing.
import test from 'ava';
import { createLab } from '../../lab/lab.js';
import { startTcpListener } from '../../lab/services.js';
import { startUtmd } from '../../lab/utmd.js';
import type { RecentFlow } from '../../../firmware/src/traffic/recentFlows.js';
import { fastConntrack, provisioning, trafficConfig, waitFlows } from './helpers.js';

const C2 = '203.0.113.200';
const N = 12;
const PAYLOAD = 180;

/** A tiny agent: n connections to addr:port, one after another, each sending the same bytes. */
function beaconScript(addr: string, port: number, n: number, everyMs: number): string {
  return `const net=require('net');let i=0;const one=()=>{const s=net.connect(${port},'${addr}',()=>{s.end(Buffer.alloc(${PAYLOAD},120));});
s.on('error',()=>{});s.setTimeout(2000,()=>s.destroy());if(++i<${n})setTimeout(one,${everyMs});};one();`;
}

test.serial('bridge: every check-in to one outside address reaches utmd as its own ended flow, typed and oriented', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  await startTcpListener(lab, lab.ns.wan, [{ addr: '0.0.0.0', port: 443 }]);
  const utmd = await startUtmd(lab, { config: trafficConfig(lab), provisioning });
  await fastConntrack(lab);
  const host = lab.hosts[0]!;
  const before = Date.now();

  await lab.exec(host.ns, [process.execPath, '-e', beaconScript(C2, 443, N, 200)], { timeoutMs: 60_000 });

  const toC2 = (fs: RecentFlow[]): RecentFlow[] => fs.filter((f) => f.remoteIp === C2 && f.event === 'end');
  const flows = await waitFlows(lab, utmd, host.v4, (fs) => (toC2(fs).length >= N ? toC2(fs) : undefined), `${N} ended flows to ${C2}`, 60_000);
  t.is(flows.length, N, 'one flow per check-in, no more');
  t.is(new Set(flows.map((f) => f.devicePort)).size, N, 'each check-in is its own connection');
  for (const f of flows) {
    t.like(f, { proto: 'tcp', direction: 'outbound', deviceIp: host.v4, deviceMac: host.mac, remoteIp: C2, remotePort: 443 });
    // The kernel's accounting: the payload plus IP and TCP headers out, the greeting and ACKs back.
    t.true(f.bytesOut >= PAYLOAD + 40 * f.pktsOut, `bytesOut ${f.bytesOut} for ${f.pktsOut} packets`);
    t.true(f.bytesIn > 0 && f.pktsIn > 0, `bytesIn ${f.bytesIn}`);
    // The kernel's timestamps (nf_conntrack_timestamp), in wall-clock ms: the detector's intervals.
    t.true(f.start >= before - 60_000 && f.start <= f.end, `start ${f.start} end ${f.end} (test began ${before})`);
  }
  t.is(new Set(flows.map((f) => f.ctId)).size, N, 'distinct conntrack entries: none merged');
  const text = await utmd.ctl(['flows', '--device', host.v4]);
  t.regex(text.stdout, new RegExp(`${host.v4.replace(/\./g, '\\.')}:\\d+ -> ${C2.replace(/\./g, '\\.')}:443 `));
});
