// Device inventory end to end in bridge mode, with real DHCP clients (dhclient) and the
// office router's DHCP server (dnsmasq in the wan namespace): learning, the one alert for a
// personal phone, private-MAC linking, an end-of-life PC, quarantine and release through
// utmctl and through the page (login + CSRF), and a hostile hostname shown escaped.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { namespacePids } from '../../lab/netns.js';
import { createLab } from '../../lab/lab.js';
import { startTcpListener, tcpProbe } from '../../lab/services.js';
import { startUtmd, labUtmdConfig, labProvisioning, type Utmd } from '../../lab/utmd.js';
import { startUiBridge } from '../../lab/uiBridge.js';
import { waitFor } from '../../lab/poll.js';
import { CookieJar, csrfFromHtml, HOSTILE } from '../../helpers/webui.js';
import { send, type Answer } from '../../helpers/pinned.js';
import { hashPassword } from '../../../firmware/src/auth/password.js';
import type { Alert } from '../../../firmware/src/alerts/types.js';
import { DEFAULT_POLICY, type Device } from '../../../firmware/src/devices/model.js';
import { IOS, privateMac, runDhclient, startWanDhcp, WINDOWS_10, WINDOWS_XP } from './clients.js';

const PASSWORD = 'office-admin-password-1';

async function provisioning(learningDays: number): Promise<Record<string, unknown>> {
  return labProvisioning('box-dev-0001', { desk: { name: 'テスト窓口', phone: '0120-000-000' }, admin: { passwordHash: await hashPassword(PASSWORD) }, learningDays });
}

async function devices(u: Utmd): Promise<Device[]> {
  return (JSON.parse((await u.ctl(['devices', '--json'])).stdout) as { devices: Device[] }).devices;
}
async function alerts(u: Utmd): Promise<Alert[]> {
  return JSON.parse((await u.ctl(['alerts', '--limit', '500', '--json'])).stdout) as Alert[];
}
const deviceAlerts = (list: Alert[], mac: string): Alert[] => list.filter((a) => a.kind.startsWith('new_device') && a.device.mac === mac);

test.serial('bridge: learning is silent; a personal iPhone alerts once; its new private MAC is linked; quarantine and release work via utmctl and the page', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  await startWanDhcp(lab);
  const { web } = lab.internet;
  await startTcpListener(lab, lab.ns.wan, [{ addr: web.v4, port: 80 }]);
  const config = labUtmdConfig(lab, []);

  // 1. Learning period: the office PC (Windows 10, vendor MAC) is learned silently.
  let utmd = await startUtmd(lab, { config, provisioning: await provisioning(7) });
  const pc = await lab.addLanHost({ mac: '00:14:22:10:20:30', addressing: 'none' });
  const pcClient = await runDhclient(lab, pc, { ...WINDOWS_10, hostname: 'KEIRI-PC' });
  const learned = await waitFor(async () => (await devices(utmd)).find((d) => d.mac === pc.mac && d.hostname === 'KEIRI-PC'), { what: 'the office PC in the inventory', timeoutMs: 30_000 });
  t.is(learned.status, 'learning');
  t.is(learned.osFamily, 'windows');
  t.deepEqual(deviceAlerts(await alerts(utmd), pc.mac), [], 'no alert while learning');
  await pcClient.stop();

  // 2. The learning period is over (the provider shortens it): the inventory survives a restart.
  await utmd.stop();
  utmd = await startUtmd(lab, { config, provisioning: await provisioning(0) });
  t.is((await devices(utmd)).find((d) => d.mac === pc.mac)?.status, 'learning', 'restored from the store');

  // 3. A personal iPhone with a private MAC joins: exactly one alert, worded for a phone.
  const phone = await lab.addLanHost({ mac: privateMac(), addressing: 'none' });
  const phoneProfile = { ...IOS, hostname: 'Hanakos-iPhone', clientId: '01:de:ad:be:ef:00:01' };
  const t0 = Date.now();
  const phoneClient = await runDhclient(lab, phone, phoneProfile);
  const alert = await waitFor(async () => deviceAlerts(await alerts(utmd), phone.mac)[0], { what: 'the new-device alert for the phone', timeoutMs: DEFAULT_POLICY.evidenceMs + 60_000 } /* a phone alert waits for evidence */);
  const dev = (await devices(utmd)).find((d) => d.mac === phone.mac)!;
  t.log(`first DHCP packet → alert: ${alert.firstSeen - dev.firstSeen} ms (dhclient start → alert visible in utmctl: ${Date.now() - t0} ms)`);
  t.is(alert.kind, 'new_device_phone');
  t.true(dev.likelyPersonalPhone);
  t.true(dev.randomised);
  t.is(dev.status, 'new');
  t.is(deviceAlerts(await alerts(utmd), phone.mac).length, 1, 'exactly one alert');
  // One capture process serves DHCP discovery, port evidence and DNS names on both ports
  // (it was one tcpdump per consumer and port), and it says what it lost.
  const comms = (await namespacePids(lab.ns.box)).map((pid) => { try { return readFileSync(`/proc/${pid}/comm`, 'utf8').trim(); } catch { return ''; } });
  t.is(comms.filter((c) => c === 'tcpdump').length, 1, 'one tcpdump in the box');
  const capture = (JSON.parse((await utmd.ctl(['status', '--json'])).stdout) as { capture: { kernelDrops: number; frames: number } }).capture;
  t.is(capture.kernelDrops, 0);
  t.true(capture.frames > 0);

  // 4. Quarantine via utmctl: its traffic stops; release restores it.
  const target = [{ addr: web.v4, port: 80 }];
  t.is((await tcpProbe(phone.ns, target, { timeoutMs: 2000 }))[0]?.outcome, 'connected');
  const q = JSON.parse((await utmd.ctl(['device', 'quarantine', phone.mac, '--json'])).stdout) as { status: string; enforced: boolean };
  t.deepEqual([q.status, q.enforced], ['quarantined', true]);
  t.is((await tcpProbe(phone.ns, target, { timeoutMs: 1500 }))[0]?.outcome, 'timeout', 'quarantined: dropped');
  const r = JSON.parse((await utmd.ctl(['device', 'release', phone.mac, '--json'])).stdout) as { status: string };
  t.is(r.status, 'new');
  t.is((await tcpProbe(phone.ns, target, { timeoutMs: 2000 }))[0]?.outcome, 'connected', 'released: passes again');

  // 5. The same phone rejoins with a new private MAC: linked, no new alert.
  await phoneClient.stop();
  const oldMac = phone.mac;
  await lab.setHostMac(phone, privateMac());
  const rejoin = await runDhclient(lab, phone, phoneProfile);
  const linked = await waitFor(async () => (await devices(utmd)).find((d) => d.mac === phone.mac && d.linkedTo !== null), { what: 'the rotated MAC linked to the phone', timeoutMs: 30_000 });
  t.is(linked.linkedTo, oldMac);
  t.deepEqual(deviceAlerts(await alerts(utmd), phone.mac), [], 'no alert for the rotated MAC');

  // 6. An XP PC with a hostile hostname: flagged end-of-life; the name is escaped everywhere.
  const xp = await lab.addLanHost({ mac: '00:14:22:aa:bb:cc', addressing: 'none' });
  const xpClient = await runDhclient(lab, xp, { ...WINDOWS_XP, hostname: HOSTILE });
  const xpAlert = await waitFor(async () => deviceAlerts(await alerts(utmd), xp.mac)[0], { what: 'the XP alert', timeoutMs: DEFAULT_POLICY.evidenceMs + 60_000 } /* an old-PC alert waits for evidence */);
  t.is(xpAlert.kind, 'new_device_eol');
  t.true((await devices(utmd)).find((d) => d.mac === xp.mac)?.eol);
  const human = (await utmd.ctl(['devices'])).stdout;
  t.true(human.includes(xp.mac));
  t.false(human.includes('\u001b'), 'no raw escape characters reach the terminal');
  await xpClient.stop();

  // 7. The page: escaped names; no action without login; quarantine and release with login + CSRF.
  // Login and actions only on the secure page, trusted by the fingerprint utmctl prints.
  const cert = JSON.parse((await utmd.ctl(['web', 'cert', '--json'])).stdout) as { fingerprint256: string };
  const ui = await startUiBridge(lab, { hostPort: 0, https: true, socketName: 'ui-tls.sock', target: { addr: lab.box.lanAddress.v4, port: 443 } });
  t.teardown(() => ui.stop());
  const jar = new CookieJar();
  const get = async (): Promise<string> => { const a = await send(ui.url, { fingerprint256: cert.fingerprint256, headers: { cookie: jar.header() } }); jar.takeLines(a.setCookie); return a.body; };
  const post = async (path: string, form: Record<string, string>): Promise<Answer> => {
    const a = await send(new URL(path, ui.url).href, { fingerprint256: cert.fingerprint256, form, headers: { cookie: jar.header() } });
    jar.takeLines(a.setCookie);
    return a;
  };
  let page = await get();
  t.false(page.includes(HOSTILE), 'the hostile hostname is not markup');
  t.true(page.includes('&lt;img src=x onerror=alert(1)&gt;'));
  t.true(page.includes('この機器に心当たりはありますか？'));
  t.false(page.includes('/actions/devices/quarantine'), 'no buttons before login');
  const anon = await post('/actions/devices/approve', { _csrf: csrfFromHtml(page), mac: phone.mac });
  t.true(anon.status === 401 || anon.status === 403, `refused without login (${anon.status})`);
  const noCookie = await send(new URL('/actions/devices/approve', ui.url).href, { fingerprint256: cert.fingerprint256, form: { mac: phone.mac } });
  t.true(noCookie.status === 401 || noCookie.status === 403);
  t.is((await devices(utmd)).find((d) => d.mac === phone.mac)?.status, 'new', 'nothing changed');

  t.is((await post('/login', { _csrf: csrfFromHtml(page), password: PASSWORD })).status, 303);
  page = await get();
  t.true(page.includes('/actions/devices/quarantine'), 'buttons after login');
  const pq = await post('/actions/devices/quarantine', { _csrf: csrfFromHtml(page), mac: phone.mac });
  t.is(pq.status, 303);
  t.is((await devices(utmd)).find((d) => d.mac === phone.mac)?.status, 'quarantined');
  t.is((await tcpProbe(phone.ns, target, { timeoutMs: 1500 }))[0]?.outcome, 'timeout', 'quarantined from the page');
  const badCsrf = await post('/actions/devices/release', { _csrf: 'x', mac: phone.mac });
  t.is(badCsrf.status, 403, 'a forged form is refused');
  page = await get();
  t.is((await post('/actions/devices/release', { _csrf: csrfFromHtml(page), mac: phone.mac })).status, 303);
  t.is((await tcpProbe(phone.ns, target, { timeoutMs: 2000 }))[0]?.outcome, 'connected', 'released from the page');

  // 8. A device that never used DHCP (lan1, static address, the page's visitor) is known from
  //    the kernel's tables: the neighbour table, the bridge FDB and the ruleset's (MAC, IPv4) set.
  const lan1 = lab.hosts[0]!;
  await tcpProbe(lan1.ns, target, { timeoutMs: 2000 });
  const seen = await waitFor(async () => {
    const list = JSON.parse((await utmd.ctl(['devices', 'scan', '--json'])).stdout) as { devices: Device[] };
    return list.devices.find((d) => d.mac === lan1.mac && d.ipv4.includes(lan1.v4));
  }, { what: 'the static host in the inventory', timeoutMs: 20_000, intervalMs: 1000 });
  t.is(seen.fingerprint, null, 'seen without DHCP');
  const status = (await utmd.status()) as { features: { devices: { kernelTables: { nftset: { polls: number; sightings: number; lastMs: number } } } } };
  t.log(`nft set read: ${JSON.stringify(status.features.devices.kernelTables.nftset)}`);
  t.true(status.features.devices.kernelTables.nftset.sightings > 0, 'the dynamic set saw LAN traffic');

  const audit = JSON.parse((await utmd.ctl(['device', 'audit', '--json'])).stdout) as { actor: string; action: string; mac: string }[];
  t.true(audit.some((e) => e.action === 'quarantine' && e.actor === 'utmctl' && e.mac === oldMac));
  t.true(audit.some((e) => e.action === 'quarantine' && e.actor.startsWith('admin@') && e.mac === phone.mac), JSON.stringify(audit.slice(0, 4)));
  await rejoin.stop();
});
