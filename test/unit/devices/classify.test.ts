import test from 'ava';
import { classify, CONFIDENCE } from '../../../firmware/src/devices/classify.js';
import { loadFingerprints } from '../../../firmware/src/devices/fingerprintFile.js';
import { dnsHintOf, matchFingerprint } from '../../../firmware/src/devices/fingerprints.js';

const table = loadFingerprints();
const IOS = [1, 121, 3, 6, 15, 108, 114, 119, 252];
const APPLE = [1, 121, 3, 6, 15, 108, 114, 119, 252, 95, 44, 46];
const ANDROID = [1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 114, 108];
const XP = [1, 15, 3, 6, 44, 46, 47, 31, 33, 249, 43];
const WIN10 = [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252];

function run(p: { prl: number[]; vendorClass?: string | null; hostname?: string | null; vendor?: string | null; randomised: boolean; names?: string[] }) {
  const vendorClass = p.vendorClass ?? null; const vendor = p.vendor ?? null;
  const match = matchFingerprint(table, { prl: p.prl, vendorClass, vendor });
  const dnsHints = (p.names ?? []).flatMap((n) => dnsHintOf(table, n)?.id ?? []);
  return classify(table, { match, hostname: p.hostname ?? null, vendor, randomised: p.randomised, vendorClass, dnsHints });
}

const VISTA7 = [1, 15, 3, 6, 44, 46, 47, 31, 33, 121, 249, 43];

test('DNS names looked up: only Windows 10 and later check msftconnecttest.com, so the Vista/7 list is not end-of-life', (t) => {
  const seven = run({ prl: VISTA7, vendorClass: 'MSFT 5.0', randomised: false, names: ['www.msftncsi.com', 'ctldl.windowsupdate.com'] });
  t.like(seven, { osFamily: 'windows', eol: true });
  t.true(seven.evidence.includes('dns:windows-ncsi'));
  const ten = run({ prl: VISTA7, vendorClass: 'MSFT 5.0', randomised: false, names: ['www.msftconnecttest.com.'] });
  t.like(ten, { osFamily: 'windows', osName: 'Windows 10 / 11', eol: false });
  t.true(ten.evidence.includes('dns:windows-ncsi-10') && ten.evidence.includes('eol_overruled'));
  t.true(ten.confidence > run({ prl: VISTA7, vendorClass: 'MSFT 5.0', randomised: false }).confidence, 'an agreeing name adds confidence');
});

test('DNS names looked up: a name of another kind of device speaks against the list; names alone decide nothing', (t) => {
  // A console sending XP's list (what FingerBank calls an Xbox-like case) and running Nintendo's connection test.
  const console = run({ prl: XP, vendorClass: 'MSFT 5.0', randomised: false, names: ['conntest.nintendowifi.net'] });
  t.like(console, { eol: false, osFamily: 'unknown' });
  t.true(console.evidence.includes('dns_contradicts:nintendo-check'));
  const iphoneList = run({ prl: IOS, randomised: true, names: ['connectivitycheck.gstatic.com'] });
  t.false(iphoneList.likelyPersonalPhone, 'an iOS list that checks Android\'s connectivity URL is doubted');
  const alone = run({ prl: [1, 3, 6, 15], randomised: true, names: ['captive.apple.com', 'www.msftconnecttest.com'] });
  t.like(alone, { osFamily: 'unknown', deviceType: 'unknown', eol: false, likelyPersonalPhone: false });
  t.is(dnsHintOf(table, 'evilmsftconnecttest.com'), null, 'a suffix counts only at a label boundary');
  t.is(dnsHintOf(table, 'msftconnecttest.com.attacker.example'), null);
});

test('personal iPhone: random MAC + iOS fingerprint + "Taros-iPhone"', (t) => {
  const c = run({ prl: IOS, hostname: 'Taros-iPhone', randomised: true });
  t.like(c, { osFamily: 'ios', deviceType: 'phone', likelyPersonalPhone: true, eol: false });
  t.deepEqual(c.reasons, ['randomised_mac', 'phone_fingerprint', 'phone_hostname']);
  t.true(c.confidence >= 0.8);
});

test('Galaxy with a random MAC and android-dhcp-13 is a likely personal phone running Android 13', (t) => {
  const c = run({ prl: ANDROID, vendorClass: 'android-dhcp-13', hostname: 'Galaxy-S21', randomised: true });
  t.like(c, { osFamily: 'android', osName: 'Android 13', deviceType: 'phone', likelyPersonalPhone: true });
});

test('ambiguous Apple fingerprint: the hostname decides Mac or iPhone', (t) => {
  t.like(run({ prl: APPLE, hostname: 'Hanakos-MacBook-Air', randomised: false, vendor: 'Apple, Inc.' }), { osFamily: 'macos', deviceType: 'pc', likelyPersonalPhone: false });
  t.like(run({ prl: APPLE, hostname: 'iPhone', randomised: true }), { osFamily: 'ios', deviceType: 'phone', likelyPersonalPhone: true });
  t.like(run({ prl: APPLE, hostname: null, randomised: false, vendor: 'Apple, Inc.' }), { osFamily: 'apple', deviceType: 'unknown', likelyPersonalPhone: false });
});

test('Windows XP is end-of-life, Windows 10/11 is not; neither is a phone', (t) => {
  t.like(run({ prl: XP, vendorClass: 'MSFT 5.0', hostname: 'KEIRI-PC', randomised: false }), { osName: 'Windows XP', deviceType: 'pc', eol: true, likelyPersonalPhone: false });
  t.like(run({ prl: WIN10, vendorClass: 'MSFT 5.0', randomised: true }), { osName: 'Windows 10 / 11', eol: false, likelyPersonalPhone: false });
});

test('a PC named "iPhone" is not a phone: disagreement lowers confidence', (t) => {
  const honest = run({ prl: WIN10, vendorClass: 'MSFT 5.0', randomised: false });
  const liar = run({ prl: WIN10, vendorClass: 'MSFT 5.0', hostname: 'iPhone', randomised: true });
  t.false(liar.likelyPersonalPhone);
  t.is(liar.osFamily, 'windows');
  t.true(liar.confidence < honest.confidence);
});

test('a random MAC alone does not make a phone; a hostname alone is below the gate; hostname and vendor class are enough', (t) => {
  t.false(run({ prl: [], randomised: true }).likelyPersonalPhone);
  const name = run({ prl: [], hostname: 'Pixel-7', randomised: true });
  t.like(name, { likelyPersonalPhone: false, deviceType: 'unknown', osFamily: 'unknown', osName: '' });
  t.deepEqual(name.evidence, ['hostname:android', 'below:0.5']);
  // Vendor class and hostname name the device, but the phone alert waits for a measured confidence.
  const named = run({ prl: [], hostname: 'Pixel-7', vendorClass: 'android-dhcp-14', randomised: true });
  t.like(named, { likelyPersonalPhone: false, deviceType: 'phone', osFamily: 'android', osName: 'Android 14' });
  t.true(named.evidence.includes('phone_below:0.6'));
  t.like(run({ prl: ANDROID, hostname: 'Pixel-7', vendorClass: 'android-dhcp-14', randomised: true }), { likelyPersonalPhone: true, deviceType: 'phone', osName: 'Android 14' });
});

test('printers and NAS are recognised with their vendor', (t) => {
  t.like(run({ prl: [1, 3, 6, 12, 15, 28, 42, 40], vendor: 'Seiko Epson Corporation', randomised: false }), { deviceType: 'printer', osName: 'Epson printer' });
  t.like(run({ prl: [1, 3, 6, 12, 15, 17, 23, 28, 29, 31, 33, 40, 41, 42, 44], vendor: 'Synology Incorporated', randomised: false }), { deviceType: 'nas' });
  t.like(run({ prl: [], vendor: 'Samsung Electronics Co.,Ltd', randomised: false }), { likelyPersonalPhone: false, deviceType: 'unknown' });
});

test('unknown everything gives unknown with zero confidence', (t) => {
  t.like(run({ prl: [], randomised: false }), { osFamily: 'unknown', deviceType: 'unknown', confidence: 0, eol: false, likelyPersonalPhone: false, fingerprintId: null });
});

test('confidence gating: a whole list alone is known; a reordered list alone is below the gate and says nothing', (t) => {
  const xp = run({ prl: XP, vendorClass: 'MSFT 5.0', randomised: false });
  t.like(xp, { eol: true, osName: 'Windows XP' });
  t.true(xp.confidence >= CONFIDENCE.eol);
  const reordered = run({ prl: [15, 1, 3, 6, 44, 46, 47, 31, 33, 249, 43], vendorClass: null, randomised: false });
  t.like(reordered, { osFamily: 'unknown', osName: '', deviceType: 'unknown', eol: false });
  t.true(reordered.confidence < CONFIDENCE.known);
  t.true(reordered.evidence.includes('below:0.5'));
  // Even with the vendor class, a reordered list says Windows, not which Windows: no EOL.
  const vc = run({ prl: [15, 1, 3, 6, 44, 46, 47, 31, 33, 249, 43], vendorClass: 'MSFT 5.0', randomised: false });
  t.false(vc.eol);
});

test('ties: the vendor class alone ("MSFT 5.0") says Windows, never which release, never EOL', (t) => {
  const c = run({ prl: [], vendorClass: 'MSFT 5.0', randomised: false });
  t.false(c.eol);
  t.true(c.evidence.some((e) => e.startsWith('tie:')));
});

test('option 60 that the OS never sends speaks against it (dhcpcd on an iOS list)', (t) => {
  const honest = run({ prl: IOS, randomised: true });
  const dhcpcd = run({ prl: IOS, vendorClass: 'dhcpcd-9.4.1:Linux-6.1.0:aarch64:BCM2835', randomised: true });
  t.true(honest.likelyPersonalPhone);
  t.false(dhcpcd.likelyPersonalPhone);
  t.true(dhcpcd.evidence.includes('vendor_class_contradicts'));
  t.true(dhcpcd.confidence < honest.confidence);
});

test('an OS that always sends option 60 is doubted when it is missing (XP list from a router)', (t) => {
  const router = run({ prl: XP, vendorClass: null, randomised: false });
  t.like(router, { eol: false, osFamily: 'unknown' });
  t.true(router.evidence.includes('vendor_class_missing'));
});

test('option 60 from another maker speaks against the OS: a Xerox sending XP\'s list with "mfg=Xerox" is not an old PC', (t) => {
  const pc = run({ prl: XP, vendorClass: 'MSFT 5.0', randomised: false });
  const xerox = run({ prl: XP, vendorClass: 'mfg=Xerox', randomised: false });
  t.true(pc.eol);
  t.like(xerox, { eol: false, osFamily: 'unknown' });
  t.true(xerox.evidence.includes('vendor_class_other'));
  // Windows NT 4 never sends option 60: a printer's "Xerox Phaser" with NT 4's list is not NT 4.
  const nt4 = [1, 2, 3, 6, 12, 15, 26, 28, 85, 86, 87, 88, 44, 45, 46, 47, 70, 69, 78, 79];
  t.true(run({ prl: nt4, randomised: false }).eol);
  t.false(run({ prl: nt4, vendorClass: 'Xerox Phaser', randomised: false }).eol);
  // An Epson printer's BusyBox client ("udhcp") with a list FingerBank gives Nokia phones is not a phone.
  t.false(run({ prl: [1, 3, 6, 12, 15, 17, 28, 40, 41, 42], vendorClass: 'udhcp 1.17.1', randomised: true }).likelyPersonalPhone);
  t.true(run({ prl: [1, 3, 6, 12, 15, 17, 28, 40, 41, 42], vendorClass: 'Nokia Corporation', randomised: true }).likelyPersonalPhone);
});

test('MAC vendor: a printer maker sending a Windows XP list is not an old PC; the right vendor adds confidence', (t) => {
  const xerox = run({ prl: XP, vendorClass: 'MSFT 5.0', vendor: 'Xerox Corporation', randomised: false });
  t.false(xerox.eol);
  t.true(xerox.evidence.includes('oui_appliance'));
  const epson = run({ prl: [1, 3, 6, 12, 15, 28, 42, 40], vendor: 'Seiko Epson Corporation', randomised: false });
  const anon = run({ prl: [1, 3, 6, 12, 15, 28, 42, 40], vendor: null, randomised: false });
  t.true(epson.evidence.includes('oui_vendor'));
  t.true(epson.confidence > anon.confidence);
});

test('hostname: an agreeing name adds confidence, a printer or console name speaks against a PC list', (t) => {
  const plain = run({ prl: IOS, randomised: true });
  const named = run({ prl: IOS, hostname: 'Hanakos-iPhone', randomised: true });
  t.true(named.confidence > plain.confidence);
  t.true(named.evidence.includes('hostname:iphone'));
  const printer = run({ prl: XP, vendorClass: 'MSFT 5.0', hostname: 'NPI1A2B3C', randomised: false });
  t.true(printer.evidence.includes('hostname_contradicts:printer-name'));
  t.true(printer.confidence < run({ prl: XP, vendorClass: 'MSFT 5.0', randomised: false }).confidence);
});

test('evidence is small and never carries device-supplied text', (t) => {
  const c = run({ prl: XP, vendorClass: 'MSFT 5.0', hostname: '<script>iPhone', vendor: 'Xerox Corporation', randomised: true });
  t.true(c.evidence.length <= 8);
  for (const e of c.evidence) { t.regex(e, /^[a-z0-9_:.+-]+$/); t.true(e.length <= 48); }
});

test('Windows 10 sending the Vista/7 list: its default name DESKTOP-XXXXXXX overrules the end-of-life list', (t) => {
  const VISTA7 = [1, 15, 3, 6, 44, 46, 47, 31, 33, 121, 249, 43];
  const old = run({ prl: VISTA7, vendorClass: 'MSFT 5.0', hostname: 'TARO-PC', randomised: false });
  t.like(old, { eol: true, osName: 'Windows Vista / 7' });
  const win10 = run({ prl: VISTA7, vendorClass: 'MSFT 5.0', hostname: 'DESKTOP-4K2J9QX', randomised: false });
  t.like(win10, { eol: false, osName: 'Windows 10 / 11', deviceType: 'pc' });
  t.true(win10.evidence.includes('eol_overruled'));
  // A name alone without a Windows fingerprint is not a Windows PC.
  t.like(run({ prl: [1, 3, 6, 15], hostname: 'DESKTOP-4K2J9QX', randomised: false }), { deviceType: 'unknown', eol: false });
});

test('an iPad name agrees with the iOS list (phone and tablet are both handhelds)', (t) => {
  const c = run({ prl: IOS, hostname: 'Hanakos-iPad', randomised: true });
  t.like(c, { osFamily: 'ios', deviceType: 'tablet', likelyPersonalPhone: true });
  t.true(c.evidence.includes('hostname:ipad'));
});

test('option 60 that names a phone maker decides alone (BlackBerry, Research In Motion, Nokia Corporation); a bare "Nokia" does not', (t) => {
  // A BlackBerry sends the list Debian's dhclient sends; an Xbox, an access point and a Canon printer send 1,3,6,15.
  for (const [prl, vendorClass] of [[[1, 28, 2, 3, 15, 6, 12], 'BlackBerry OS'], [[1, 3, 6, 15], 'BlackBerry'], [[1, 3, 6, 28], 'Nokia Corporation'], [[56, 6, 1, 3, 15], 'Research In Motion']] as const) {
    const r = run({ prl: [...prl], vendorClass, randomised: true });
    t.like(r, { deviceType: 'phone', likelyPersonalPhone: true, eol: false }, `${vendorClass} [${prl.join(',')}]`);
    t.true(r.evidence.includes('vendor_class_names'));
  }
  // The same lists without it stay unknown; "Nokia" alone could be the maker's network gear.
  t.like(run({ prl: [1, 3, 6, 15], randomised: true }), { deviceType: 'unknown', likelyPersonalPhone: false });
  t.like(run({ prl: [1, 3, 6, 28], vendorClass: 'Nokia ONT', randomised: true }), { likelyPersonalPhone: false });
});
