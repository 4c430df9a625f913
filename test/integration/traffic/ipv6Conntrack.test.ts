// IPv6 connections are read from conntrack like IPv4 ones: an office device's open IPv6
// connection counts in `utmctl status` bytes while it is still open (the live listing, not the
// end event), with the same figures as the same upload over IPv4, and a long IPv6 connection
// is handed on by the conntrack listing while still open.
import test from 'ava';
import { createLab, type Lab } from '../../lab/lab.js';
import { startUtmd } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import { boxConntrackPoller, provisioning, trafficConfig } from './helpers.js';

type Dev = { ip: string; txBytes: number; rxBytes: number };
type Status = { features: { traffic: { deviceBytes: { devices: Dev[] } } } };

/** A sink on the internet side that reads and discards (both families). */
async function sink(lab: Lab, port: number): Promise<void> {
  const p = await lab.spawn(lab.ns.wan, [process.execPath, '-e',
    `require('net').createServer((s)=>{s.on('error',()=>{});s.resume();}).listen(${port},'::',()=>console.log('listening'))`]);
  await p.waitForOutput((o) => o.includes('listening'), { what: 'sink', timeoutMs: 30_000 });
}

for (const mode of ['bridge', 'router'] as const) {
  test.serial(`${mode}: an office device's open IPv6 upload counts in utmctl status like the same upload over IPv4`, async (t) => {
    const lab = await createLab({ mode, lanHosts: 1 });
    t.teardown(() => lab.destroy());
    await sink(lab, 443);
    const utmd = await startUtmd(lab, { config: trafficConfig(lab, { counterPollSeconds: 1 }), provisioning });
    const host = lab.hosts[0]!;
    const SENT = 2_000_000;
    // Sends SENT bytes on each family, then keeps both connections open (no end event yet).
    const client = await lab.spawn(host.ns, [process.execPath, '-e',
      `const net=require('net');let n=0;for(const a of ['192.0.2.150','2001:db8:c0::150']){const s=net.connect(443,a,()=>s.write(Buffer.alloc(${SENT},97),()=>{if(++n===2)console.log('sent');}));s.on('error',(e)=>{console.error(e.message);process.exit(1);});s.resume();}setTimeout(()=>process.exit(0),120000);`]);
    await client.waitForOutput((o) => o.includes('sent'), { what: 'both uploads written', timeoutMs: 60_000 });
    const devs = await waitFor(async () => {
      const all = ((await utmd.status()) as Status).features.traffic.deviceBytes.devices;
      const v4 = all.find((d) => d.ip === host.v4);
      const v6 = all.find((d) => d.ip === host.v6);
      return v4 && v6 && v4.txBytes >= SENT && v6.txBytes >= SENT ? { v4, v6 } : undefined;
    }, { what: `open uploads counted for ${host.v4} and ${host.v6}`, timeoutMs: 60_000, intervalMs: 500 });
    const open = await lab.exec(lab.ns.box, ['conntrack', '-L', '-f', 'ipv6', '-p', 'tcp', '--dport', '443']);
    t.regex(open, /ESTABLISHED/, 'the IPv6 connection is still open: its bytes came from the live listing');
    for (const [fam, d] of [['IPv4', devs.v4], ['IPv6', devs.v6]] as const) {
      t.true(d.txBytes <= SENT * 1.08, `${fam}: sent ${SENT} bytes of payload, counted ${d.txBytes} (IP and TCP headers included)`);
      t.true(d.rxBytes < SENT * 0.05, `${fam}: the acknowledgements counted ${d.rxBytes} bytes`);
    }
  });
}

// Delivery only, at real speed (as longConnection.test.ts for IPv4): the poller adapter, run
// against the box's conntrack with a seconds-long age floor, hands the open IPv6 connection on
// as an update oriented to the office device. Whether it is a long connection is replayed with
// a fake clock (test/unit/traffic/labStories.test.ts).
test.serial('bridge: an IPv6 connection held open is handed on by the conntrack listing while still open', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  await sink(lab, 8443);
  await startUtmd(lab, { config: trafficConfig(lab, { conntrackPollSeconds: 1 }), provisioning });
  const host = lab.hosts[0]!;
  const remote = '2001:db8:c0::151';
  await lab.spawn(host.ns, [process.execPath, '-e',
    `const s=require('net').connect(8443,'${remote}');s.on('error',()=>{});setInterval(()=>s.write('x'),200);`]);
  const { poller, handed } = boxConntrackPoller(lab, remote, 3000, (m) => t.log(m));
  const first = await waitFor(async () => { await poller.poll(); return handed[0]; }, { what: `the open connection to ${remote} handed on`, timeoutMs: 60_000, intervalMs: 500 });
  t.like(first, { event: 'update', proto: 'tcp', direction: 'outbound', deviceIp: host.v6, remoteIp: remote, remotePort: 8443 });
  t.true(first.bytesOut > 0, 'bytes the device sent, from the live listing');
  t.is(poller.counts.failures, 0);
});
