// Issue 15, the costliest wrong alert: an old-PC alert for a current Windows. Real ISC dhclient in
// the lab (bridge mode, the office router's dnsmasq hands out addresses) asks with Windows
// Vista/7's whole option list, which Windows 10 and 11 may send too; then the PC resolves
// Windows 10's connectivity-check name through the box with Node's real resolver, as Windows does
// right after it gets an address. Asserted where staff and the monitoring centre see it (utmctl,
// the collector):
// (a) a PC that looks up msftconnecttest.com at once is never called an old PC: its one alert is
//     the new-device question, naming Windows 10 / 11;
// (b) a PC that looks up nothing is called an old PC once the evidence window ends; when it looks
//     up msftconnecttest.com later, the same alert is corrected, on utmctl and upstream.
import test from 'ava';
import { createLab } from '../../lab/lab.js';
import { startUdpCollector } from '../../lab/collector.js';
import { startUtmd, labUtmdConfig, labProvisioning, type Utmd } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import type { Alert } from '../../../firmware/src/alerts/types.js';
import type { Device } from '../../../firmware/src/devices/model.js';
import { DEFAULT_POLICY } from '../../../firmware/src/devices/model.js';
import { resolveIn, runDhclient, startWanDhcp } from './clients.js';

const VISTA_7 = { prl: [1, 15, 3, 6, 44, 46, 47, 31, 33, 121, 249, 43], vendorClass: 'MSFT 5.0' };
const GATEWAY = '192.168.77.1'; // the office router: the query crossing the box is what counts

async function devices(u: Utmd): Promise<Device[]> {
  return (JSON.parse((await u.ctl(['devices', '--json'])).stdout) as { devices: Device[] }).devices;
}
async function alerts(u: Utmd): Promise<Alert[]> {
  return JSON.parse((await u.ctl(['alerts', '--limit', '500', '--json'])).stdout) as Alert[];
}
const about = (list: Alert[], mac: string): Alert[] => list.filter((a) => a.device.mac === mac && a.kind.startsWith('new_device'));

test.serial('bridge: Windows 10 sending the Vista/7 list and checking msftconnecttest.com raises no old-PC alert; a late check corrects one already raised', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const collector = await startUdpCollector(lab);
  await startWanDhcp(lab);
  const utmd = await startUtmd(lab, { config: labUtmdConfig(lab, []), provisioning: labProvisioning('box-held-0001', { learningDays: 0 }) });

  // (b) first, so its evidence window runs while (a) is tested.
  const late = await lab.addLanHost({ mac: '00:14:22:31:41:60', addressing: 'none' });
  const lateClient = await runDhclient(lab, late, { ...VISTA_7, hostname: 'SOUMU-PC' });
  const lateDev = await waitFor(async () => (await devices(utmd)).find((d) => d.mac === late.mac && d.fingerprint !== null), { what: 'the second PC classified', timeoutMs: 30_000 });
  t.like(lateDev, { eol: true, status: 'new' });
  t.is(typeof lateDev.alertHeldUntil, 'number', 'its old-PC alert waits for evidence');
  t.deepEqual(about(await alerts(utmd), late.mac), [], 'not raised before the evidence window ends');

  // (a) Windows 10: the list says Vista/7, its connectivity check says Windows 10 or later.
  const pc = await lab.addLanHost({ mac: '00:14:22:31:41:59', addressing: 'none' });
  const client = await runDhclient(lab, pc, { ...VISTA_7, hostname: 'KEIRI-PC' });
  await resolveIn(lab, pc.ns, GATEWAY, 'www.msftconnecttest.com');
  const alert = await waitFor(async () => about(await alerts(utmd), pc.mac)[0], { what: 'the new-device alert for the Windows 10 PC', timeoutMs: 30_000 });
  t.is(alert.kind, 'new_device_unknown');
  t.like(alert.params, { osName: 'Windows 10 / 11' });
  const dev = (await devices(utmd)).find((d) => d.mac === pc.mac);
  t.like(dev, { eol: false, osName: 'Windows 10 / 11', alertKind: 'new_device_unknown' });
  t.is(dev?.alertHeldUntil, undefined, 'nothing left waiting: no old-PC alert can follow');
  const line = await collector.waitFor((l) => l.includes(pc.mac) && l.includes('new_device_unknown'), 30_000);
  t.false(line.includes('new_device_eol'));

  // (b) The window ends without a lookup the box saw: an old PC (its maker's list, option 60).
  const eol = await waitFor(async () => about(await alerts(utmd), late.mac)[0], { what: 'the old-PC alert after the window', timeoutMs: DEFAULT_POLICY.evidenceMs + 60_000 });
  t.is(eol.kind, 'new_device_eol');
  await collector.waitFor((l) => l.includes(late.mac) && l.includes('kind="new_device_eol"'), 30_000);
  // Later it checks its connection like Windows 10: the same alert is corrected, here and upstream.
  await resolveIn(lab, late.ns, GATEWAY, 'www.msftconnecttest.com');
  const fixed = await waitFor(async () => about(await alerts(utmd), late.mac).find((a) => a.kind !== 'new_device_eol'), { what: 'the corrected alert', timeoutMs: 30_000 });
  t.is(fixed.id, eol.id, 'corrected in place');
  t.is(fixed.kind, 'new_device_unknown');
  t.like(fixed.params, { osName: 'Windows 10 / 11' });
  t.is(about(await alerts(utmd), late.mac).length, 1, 'no wrong alert left standing');
  const correction = await collector.waitFor((l) => l.includes(late.mac) && l.includes('replaces="new_device_eol"'), 30_000);
  t.true(correction.includes(`alert="${eol.id}"`) && correction.includes('kind="new_device_unknown"'), correction);
  // The words the centre reads say what was first said and that it was not so (raw UTF-8 as sent).
  const said = (await collector.rawMessages()).filter((l) => l.includes(late.mac) && l.includes('replaces="new_device_eol"'));
  t.true(said.some((l) => l.includes('その後の通信から、そうではないと分かりました')), said.join('\n'));

  // Nothing upstream ever called the first PC an old one.
  const raw = (await collector.rawMessages()).filter((l) => l.includes(pc.mac));
  t.true(raw.length >= 1);
  t.deepEqual(raw.filter((l) => l.includes('new_device_eol')), []);
  await client.stop();
  await lateClient.stop();
});
