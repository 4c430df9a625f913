// Real flows through the box, at real speed: an office PC uploads 200 MB to one outside address
// in one connection (more than the hourly upload floor of the shipped thresholds, 150 MB
// off-hours). What the kernel path must give the upload detector is that connection's volume,
// counted by the kernel once: one ended flow with the device, the remote address and port, and
// the bytes it sent (the payload plus IP and TCP headers) and received, while another PC that
// sent nothing has no such flow. Whether that volume IS an unusual upload (business hours, the
// PC's own baseline, the hourly pattern against the single-flow floor) and how it becomes one
// incident upstream and on the page is replayed with a fake clock in
// test/unit/traffic/labStories.test.ts; no assertion here depends on timing.
import test from 'ava';
import { createLab, type Lab } from '../../lab/lab.js';
import { startUtmd } from '../../lab/utmd.js';
import { fastConntrack, flowsOf, provisioning, trafficConfig, waitFlows } from './helpers.js';

const CLOUD = '198.51.100.77';
const BYTES = 200_000_000;

/** Uploads `bytes` from ns to CLOUD:443 in one connection, with plain node (no tsx start-up on a busy machine). */
async function upload(lab: Lab, ns: string, bytes: number): Promise<void> {
  const script = `const s=require('net').connect(443,'${CLOUD}',()=>{const c=Buffer.alloc(65536,97);let left=${bytes};
const pump=()=>{while(left>0){const n=Math.min(left,c.length);left-=n;if(!s.write(n===c.length?c:c.subarray(0,n)))return void s.once('drain',pump);}s.end();};pump();});
s.on('error',(e)=>{console.error(e.message);process.exit(1);});s.on('close',()=>console.log('sent'));s.resume();`;
  const out = await lab.exec(ns, [process.execPath, '-e', script], { timeoutMs: 120_000 });
  if (!out.includes('sent')) throw new Error(`upload from ${ns} did not finish: ${out}`);
}

test.serial('bridge: a 200 MB upload reaches utmd as one ended flow carrying the bytes the PC sent', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 2 });
  t.teardown(() => lab.destroy());
  const [uploader, quiet] = [lab.hosts[0]!, lab.hosts[1]!];
  // A sink that reads everything (the lab's tcpListen greets and never reads, so it cannot take an upload).
  const sink = await lab.spawn(lab.ns.wan, [process.execPath, '-e',
    `require('net').createServer((s)=>{s.on('error',()=>{});s.resume();}).listen(443,'0.0.0.0',()=>console.log('listening'))`]);
  await sink.waitForOutput((o) => o.includes('listening'), { what: 'upload sink', timeoutMs: 30_000 });
  const utmd = await startUtmd(lab, { config: trafficConfig(lab), provisioning });
  await fastConntrack(lab);

  await upload(lab, uploader.ns, BYTES);

  const [f] = await waitFlows(lab, utmd, uploader.v4, (fs) => fs.filter((x) => x.remoteIp === CLOUD && x.event === 'end'), `the upload's end to reach utmd`, 60_000);
  if (f === undefined) throw new Error('waitFlows returns a non-empty list');
  t.like(f, { proto: 'tcp', direction: 'outbound', deviceIp: uploader.v4, deviceMac: uploader.mac, remoteIp: CLOUD, remotePort: 443 });
  t.true(f.bytesOut >= BYTES && f.bytesOut <= BYTES * 1.08, `sent ${BYTES} bytes of payload, the flow says ${f.bytesOut} (headers included)`);
  t.true(f.bytesIn > 0 && f.bytesIn < BYTES * 0.05, `the answers (acknowledgements) were ${f.bytesIn} bytes`);
  t.true(f.start <= f.end);
  // Counted once: no second ended flow for the same connection, and nothing for the PC that sent nothing.
  t.is((await flowsOf(utmd, uploader.v4)).filter((x) => x.remoteIp === CLOUD && x.event === 'end').length, 1);
  t.deepEqual((await flowsOf(utmd, quiet.v4)).filter((x) => x.remoteIp === CLOUD), []);
});
