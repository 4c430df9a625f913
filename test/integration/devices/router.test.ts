// Device inventory end to end in router mode: utmd renders and supervises dnsmasq for the
// office, a real dhclient "iPhone" gets its address from it, raises one phone alert, and a
// quarantine through utmctl stops its traffic (DHCP still works) until it is released.
import test from 'ava';
import { createLab } from '../../lab/lab.js';
import { startTcpListener, tcpProbe } from '../../lab/services.js';
import { startUtmd, labUtmdConfig, labProvisioning } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import type { Alert } from '../../../firmware/src/alerts/types.js';
import { DEFAULT_POLICY, type Device } from '../../../firmware/src/devices/model.js';
import { ANDROID, IOS, privateMac, runDhclient } from './clients.js';

test.serial('router: utmd\'s dnsmasq serves the office; a personal iPhone alerts once; quarantine drops it, release restores it', async (t) => {
  const lab = await createLab({ mode: 'router', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const { web } = lab.internet;
  await startTcpListener(lab, lab.ns.wan, [{ addr: web.v4, port: 80 }]);
  const provisioning = labProvisioning('box-dev-0002', { desk: { name: 'テスト窓口', phone: '0120-000-000' }, learningDays: 0 });
  const utmd = await startUtmd(lab, { config: labUtmdConfig(lab, []), provisioning });
  await waitFor(async () => ((await utmd.status()) as { conditions: { id: string; ok: boolean }[] }).conditions.find((c) => c.id === 'sensor:dnsmasq' && c.ok), { what: 'dnsmasq running', timeoutMs: 20_000 });

  const phone = await lab.addLanHost({ mac: privateMac(), addressing: 'none' });
  const client = await runDhclient(lab, phone, { ...IOS, hostname: 'Taros-iPhone' });
  t.regex(client.address, /^192\.168\.77\.(12[89]|1[3-9]\d|2[0-4]\d|25[0-4])$/, 'an address from the upper half of the office range');
  const alert = await waitFor(async () => (JSON.parse((await utmd.ctl(['alerts', '--json'])).stdout) as Alert[]).find((a) => a.device.mac === phone.mac && a.kind.startsWith('new_device')), { what: 'the phone alert', timeoutMs: DEFAULT_POLICY.evidenceMs + 60_000 } /* a phone alert waits for evidence */);
  t.is(alert.kind, 'new_device_phone');
  const dev = await waitFor(async () => (JSON.parse((await utmd.ctl(['devices', '--json'])).stdout) as { devices: Device[] }).devices.find((d) => d.mac === phone.mac && d.ipv4.includes(client.address)), { what: 'the lease address on the device', timeoutMs: 10_000 });
  t.log(`first DHCP packet → alert: ${alert.firstSeen - dev.firstSeen} ms`);

  const target = [{ addr: web.v4, port: 80 }];
  t.is((await tcpProbe(phone.ns, target, { timeoutMs: 2000 }))[0]?.outcome, 'connected');
  t.is((await utmd.ctl(['device', 'quarantine', phone.mac])).code, 0);
  t.is((await tcpProbe(phone.ns, target, { timeoutMs: 1500 }))[0]?.outcome, 'timeout', 'quarantined: dropped');
  // The box's own page stays reachable for a quarantined device.
  t.is((await tcpProbe(phone.ns, [{ addr: lab.box.lanAddress.v4, port: 80 }], { timeoutMs: 2000 }))[0]?.outcome, 'connected', 'the page still answers');
  t.is((await utmd.ctl(['device', 'release', phone.mac])).code, 0);
  t.is((await tcpProbe(phone.ns, target, { timeoutMs: 2000 }))[0]?.outcome, 'connected', 'released');
  const alertsNow = JSON.parse((await utmd.ctl(['alerts', '--json'])).stdout) as Alert[];
  t.is(alertsNow.filter((a) => a.device.mac === phone.mac && a.kind.startsWith('new_device')).length, 1);
  await client.stop();

  // An Android phone (private MAC, android-dhcp vendor class) is a likely personal phone too.
  const android = await lab.addLanHost({ mac: privateMac(), addressing: 'none' });
  const ac = await runDhclient(lab, android, { ...ANDROID, hostname: 'Galaxy-S23' });
  const aa = await waitFor(async () => (JSON.parse((await utmd.ctl(['alerts', '--json'])).stdout) as Alert[]).find((a) => a.device.mac === android.mac && a.kind.startsWith('new_device')), { what: 'the Android alert', timeoutMs: DEFAULT_POLICY.evidenceMs + 60_000 } /* a phone alert waits for evidence */);
  t.is(aa.kind, 'new_device_phone');
  const ad = (JSON.parse((await utmd.ctl(['devices', '--json'])).stdout) as { devices: Device[] }).devices.find((d) => d.mac === android.mac);
  t.is(ad?.osFamily, 'android');
  t.is(ad?.osName, 'Android 13');
  await ac.stop();
});
