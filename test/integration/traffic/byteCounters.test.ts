// Per-device byte counters come from the kernel's conntrack accounting: traffic through the real
// box shows up in `utmctl status`, per office device, in both directions, and matches what was sent.
import test from 'ava';
import { createLab } from '../../lab/lab.js';
import { startUtmd } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import { fastConntrack, provisioning, trafficConfig } from './helpers.js';

type Status = { features: { traffic: { deviceBytes: { devices: { ip: string; txBytes: number; rxBytes: number; txPackets: number }[] } } } };

for (const mode of ['bridge', 'router'] as const) {
  test.serial(`${mode}: bytes an office device sends and receives are counted in the kernel, per device`, async (t) => {
    const lab = await createLab({ mode, lanHosts: 2 });
    t.teardown(() => lab.destroy());
    const utmd = await startUtmd(lab, { config: trafficConfig(lab, { counterPollSeconds: 1 }), provisioning });
    const [a, b] = lab.hosts;
    // 5 echo requests of 1,000 bytes payload (1,028 bytes each on the IP layer) and their replies.
    await lab.exec(a!.ns, ['ping', '-q', '-c', '5', '-i', '0.2', '-s', '1000', '-W', '2', lab.internet.web.v4]);
    const seen = await waitFor(async () => {
      const s = (await utmd.status()) as Status;
      const d = s.features.traffic.deviceBytes.devices.find((x) => x.ip === a!.v4);
      return d && d.txPackets >= 5 && d.rxBytes >= 5 * 1028 ? d : undefined;
    }, { what: `kernel byte counters for ${a!.v4}`, timeoutMs: 30_000 });
    t.true(seen.txBytes >= 5 * 1028, `sent ${seen.txBytes} bytes`);
    t.true(seen.rxBytes >= 5 * 1028, `received ${seen.rxBytes} bytes`);
    const s = (await utmd.status()) as Status;
    t.falsy(s.features.traffic.deviceBytes.devices.find((x) => x.ip === b!.v4 && x.txBytes > 0), 'a quiet device has nothing counted');
  });
}

for (const mode of ['bridge', 'router'] as const) {
  test.serial(`${mode}: utmctl status shows what a device really sent over a connection that has ended, within the header overhead`, async (t) => {
    const lab = await createLab({ mode, lanHosts: 1, v6: false });
    t.teardown(() => lab.destroy());
    await fastConntrack(lab);
    const sink = await lab.spawn(lab.ns.wan, [process.execPath, '-e',
      `require('net').createServer((s)=>{s.on('error',()=>{});s.resume();}).listen(443,'0.0.0.0',()=>console.log('listening'))`]);
    await sink.waitForOutput((o) => o.includes('listening'), { what: 'upload sink', timeoutMs: 30_000 });
    const utmd = await startUtmd(lab, { config: trafficConfig(lab, { counterPollSeconds: 1 }), provisioning });
    const a = lab.hosts[0]!;
    const SENT = 3_000_000;
    const script = `const s=require('net').connect(443,'192.0.2.150',()=>{s.end(Buffer.alloc(${SENT},97));});
s.on('error',(e)=>{console.error(e.message);process.exit(1);});s.on('close',()=>console.log('sent'));s.resume();`;
    t.regex(await lab.exec(a.ns, [process.execPath, '-e', script], { timeoutMs: 120_000 }), /sent/);
    // The connection is over: its bytes now come from its DESTROY event (listing conntrack
    // makes the kernel drop the expired entry and send it at once).
    const d = await waitFor(async () => {
      await lab.execResult(lab.ns.box, ['conntrack', '-L']);
      const open = await lab.exec(lab.ns.box, ['conntrack', '-L', '-p', 'tcp', '--dport', '443']).catch(() => '');
      const dev = ((await utmd.status()) as Status).features.traffic.deviceBytes.devices.find((x) => x.ip === a.v4);
      return !open.includes('192.0.2.150') && dev && dev.txBytes >= SENT ? dev : undefined;
    }, { what: `the upload counted for ${a.v4}`, timeoutMs: 60_000, intervalMs: 250 });
    t.true(d.txBytes <= SENT * 1.08, `sent ${SENT} bytes of payload, counted ${d.txBytes} bytes (IP and TCP headers included)`);
    t.true(d.rxBytes < SENT * 0.05, `the answers (acknowledgements) counted ${d.rxBytes} bytes`);
    // not counted twice (an open listing and the end event) by the polls that follow
    type Polls = { features: { traffic: { deviceBytes: { polls: number } } } };
    const polls = ((await utmd.status()) as Polls).features.traffic.deviceBytes.polls;
    await waitFor(async () => ((await utmd.status()) as Polls).features.traffic.deviceBytes.polls >= polls + 2 || undefined, { what: 'two more polls', timeoutMs: 20_000 });
    const later = ((await utmd.status()) as Status).features.traffic.deviceBytes.devices.find((x) => x.ip === a.v4)!;
    t.true(later.txBytes <= SENT * 1.08, `still ${later.txBytes}`);
  });
}
