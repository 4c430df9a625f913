// Per-device byte counters come from the kernel: traffic through the real box shows up in the
// dynamic counter sets and in `utmctl status`, per office device, in both directions.
import test from 'ava';
import { createLab } from '../../lab/lab.js';
import { startUtmd } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import { provisioning, trafficConfig } from './helpers.js';

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
