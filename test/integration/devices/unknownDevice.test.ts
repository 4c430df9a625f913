// Issue 15's lab test: a device that says little, or says something hostile, is
// 「種類の分からない機器」 and raises only the unknown-device question — never "an old PC" or
// "a personal phone". Real ISC dhclient in the lab's namespaces (bridge mode, the office router's
// dnsmasq hands out the addresses), asking with a short option-55 list that is the start of a
// Windows or iPhone signature (a router, console or printer often sends such a list):
// (a) on office port 1 (the switch), a private MAC and a hostile host name: terminal escapes,
//     a bell, HTML, a right-to-left override, the word "iPhone", 230 bytes long;
// (b) on office port 2 (the box's second LAN port), a private MAC and an empty host name.
// Asserted where staff and the monitoring centre see it: utmctl, the page, the collector.
import test from 'ava';
import { createLab, type LabHost } from '../../lab/lab.js';
import { startUdpCollector } from '../../lab/collector.js';
import { startUtmd, labUtmdConfig, labProvisioning, type Utmd } from '../../lab/utmd.js';
import { startUiBridge } from '../../lab/uiBridge.js';
import { waitFor } from '../../lab/poll.js';
import type { Alert } from '../../../firmware/src/alerts/types.js';
import type { Device } from '../../../firmware/src/devices/model.js';
import { loadFingerprints } from '../../../firmware/src/devices/fingerprintFile.js';
import { privateMac, runDhclient, startWanDhcp, WINDOWS_10, WINDOWS_XP, IOS } from './clients.js';

const BIDI = '\u202e'; // RIGHT-TO-LEFT OVERRIDE: makes "enohPi" read "iPhone"
const HOSTILE_NAME = `\u001b[2J\u0007<script>alert(1)</script>${BIDI}enohPi-iPhone-${'A'.repeat(180)}`;
const HOSTILE_BYTES = new TextEncoder().encode(HOSTILE_NAME);
const UNKNOWN_JA = '種類の分からない機器';

// Short lists that start a known Windows / iPhone signature and are not whole signatures themselves.
const SHORT_WINDOWS = WINDOWS_XP.prl.slice(0, 6); // 1,15,3,6,44,46
const SHORT_IPHONE = IOS.prl.slice(0, 5);         // 1,121,3,6,15

async function devices(u: Utmd): Promise<Device[]> {
  return (JSON.parse((await u.ctl(['devices', '--json'])).stdout) as { devices: Device[] }).devices;
}
async function alerts(u: Utmd): Promise<Alert[]> {
  return JSON.parse((await u.ctl(['alerts', '--limit', '500', '--json'])).stdout) as Alert[];
}
const about = (list: Alert[], mac: string): Alert[] => list.filter((a) => a.device.mac === mac);
// Control characters (C0, DEL, C1) and bidi controls must never reach a terminal, a page or a syslog line raw.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

test('the short lists used here are prefixes of table signatures and no whole signature', (t) => {
  const table = loadFingerprints();
  const whole = new Set(table.entries.flatMap((e) => (e.prl ?? []).map((l) => l.join(','))));
  for (const [short, of] of [[SHORT_WINDOWS, WINDOWS_XP.prl], [SHORT_IPHONE, IOS.prl], [WINDOWS_10.prl.slice(0, 4), WINDOWS_10.prl]] as const) {
    t.deepEqual(of.slice(0, short.length), [...short]);
    t.true(short.length < of.length);
    t.false(whole.has(short.join(',')), short.join(','));
  }
  t.true(HOSTILE_BYTES.length > 200 && HOSTILE_BYTES.length <= 255, 'fits one DHCP option');
});

test.serial('bridge, both office ports: a hostile or empty host name with a short option list is 種類の分からない機器 and raises only the unknown-device question', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1, secondLanPort: true });
  t.teardown(() => lab.destroy());
  const collector = await startUdpCollector(lab);
  await startWanDhcp(lab);
  const utmd = await startUtmd(lab, { config: labUtmdConfig(lab, []), provisioning: labProvisioning('box-unk-0001', { learningDays: 0 }) });

  // (a) Port 1: the switch. A private MAC (the worst case: it already counts towards "phone").
  const hostile = await lab.addLanHost({ mac: privateMac(), addressing: 'none' });
  const a = await runDhclient(lab, hostile, { prl: [...SHORT_IPHONE], hostnameBytes: HOSTILE_BYTES });
  // (b) Port 2: the box's second LAN port, an empty host name.
  const seg = lab.segment2;
  if (seg === undefined) throw new Error('the lab has no second LAN port');
  const port2: LabHost = { name: 'seg2', ns: seg.ns, ifname: seg.ifname, v4: '', v6: undefined, mac: privateMac(), addressing: 'none' };
  await lab.setHostMac(port2, port2.mac);
  const b = await runDhclient(lab, port2, { prl: [...SHORT_WINDOWS], hostnameBytes: new Uint8Array(0) });

  for (const [host, what] of [[hostile, 'hostile name, port 1'], [port2, 'empty name, port 2']] as const) {
    const alert = await waitFor(async () => about(await alerts(utmd), host.mac)[0], { what: `the new-device alert (${what})`, timeoutMs: 30_000 });
    const dev = (await devices(utmd)).find((d) => d.mac === host.mac);
    if (dev === undefined) throw new Error(`${host.mac} not in the inventory`);
    t.log(`${what}: ${JSON.stringify({ os: dev.osFamily, type: dev.deviceType, conf: dev.confidence, hostname: dev.hostname, prl: dev.fingerprint?.prl, ev: dev.classEvidence })}`);
    t.deepEqual(dev.fingerprint?.prl, host === hostile ? [...SHORT_IPHONE] : [...SHORT_WINDOWS], `${what}: the box saw the short list`);
    t.like(dev, { osFamily: 'unknown', deviceType: 'unknown', eol: false, likelyPersonalPhone: false, randomised: true, status: 'new' }, what);
    t.is(alert.kind, 'new_device_unknown', what);
  }
  const dev = (await devices(utmd)).find((d) => d.mac === hostile.mac);
  t.true(dev?.hostname?.includes('script') === true, 'the hostile name was received (so the rest is a test of showing it)');

  // The only alert each device raised is the unknown-device question; no EOL or phone alert anywhere.
  const all = await alerts(utmd);
  t.deepEqual(about(all, hostile.mac).map((x) => x.kind), ['new_device_unknown']);
  t.deepEqual(about(all, port2.mac).map((x) => x.kind), ['new_device_unknown']);
  t.deepEqual(all.filter((x) => x.kind === 'new_device_eol' || x.kind === 'new_device_phone'), []);

  // utmctl (a technician's terminal): named as unknown, no raw control or bidi characters.
  const human = (await utmd.ctl(['devices'])).stdout;
  t.true(human.includes(hostile.mac) && human.includes(port2.mac));
  t.false(RAW_CONTROL.test(human), 'utmctl devices shows no raw control or bidi characters');
  const alertText = (await utmd.ctl(['alerts', '--limit', '500'])).stdout;
  t.false(RAW_CONTROL.test(alertText), 'utmctl alerts shows no raw control or bidi characters');

  // The page: the question in plain Japanese; the name is text, not markup or a reordering.
  const ui = await startUiBridge(lab, { hostPort: 0 });
  t.teardown(() => ui.stop());
  const page = await (await fetch(ui.url)).text();
  t.true(page.includes(UNKNOWN_JA), 'the page says 種類の分からない機器');
  t.false(page.includes('<script>alert(1)</script>'), 'no markup from the device');
  t.false(RAW_CONTROL.test(page), 'no raw control or bidi characters on the page');
  t.false(/古いパソコン|個人のスマートフォン/.test(page), 'neither an old PC nor a personal phone');

  // The monitoring centre: one new_device_unknown message per device, none of another kind.
  // (Syslog is text: markup stays as sent, for the collector's console to escape.)
  for (const host of [hostile, port2]) {
    const line = await collector.waitFor((l) => l.includes('new_device_unknown') && l.includes(host.mac), 30_000);
    t.false(RAW_CONTROL.test(line), `the syslog line carries no raw control or bidi characters: ${JSON.stringify(line)}`);
  }
  // rsyslog escapes control characters in its formatted lines itself: check what arrived raw.
  const raw = (await collector.rawMessages()).filter((l) => l.includes(hostile.mac) || l.includes(port2.mac));
  t.true(raw.length >= 2);
  t.false(raw.some((l) => RAW_CONTROL.test(l)), 'no raw control or bidi characters left the box');
  t.deepEqual(raw.filter((l) => /new_device_(eol|phone)/.test(l)), []);
  await a.stop();
  await b.stop();
});
