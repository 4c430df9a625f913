import test from 'ava';
import { classify } from '../../../firmware/src/devices/classify.js';
import { loadFingerprints } from '../../../firmware/src/devices/fingerprintFile.js';
import { matchFingerprint } from '../../../firmware/src/devices/fingerprints.js';

const table = loadFingerprints();
const IOS = [1, 121, 3, 6, 15, 108, 114, 119, 252];
const APPLE = [1, 121, 3, 6, 15, 108, 114, 119, 252, 95, 44, 46];
const ANDROID = [1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 114, 108];
const XP = [1, 15, 3, 6, 44, 46, 47, 31, 33, 249, 43];
const WIN10 = [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252];

function run(p: { prl: number[]; vendorClass?: string | null; hostname?: string | null; vendor?: string | null; randomised: boolean }) {
  const vendorClass = p.vendorClass ?? null; const vendor = p.vendor ?? null;
  const match = matchFingerprint(table, { prl: p.prl, vendorClass, vendor });
  return classify(table, { match, hostname: p.hostname ?? null, vendor, randomised: p.randomised, vendorClass });
}

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

test('a random MAC alone does not make a phone; hostname alone with random MAC does', (t) => {
  t.false(run({ prl: [], randomised: true }).likelyPersonalPhone);
  t.like(run({ prl: [], hostname: 'Pixel-7', randomised: true }), { likelyPersonalPhone: true, deviceType: 'phone', osFamily: 'android' });
});

test('printers and NAS are recognised with their vendor', (t) => {
  t.like(run({ prl: [1, 3, 6, 12, 15, 28, 42, 40], vendor: 'Seiko Epson Corporation', randomised: false }), { deviceType: 'printer', osName: 'Epson printer' });
  t.like(run({ prl: [1, 3, 6, 12, 15, 17, 23, 28, 29, 31, 33, 40, 41, 42, 44], vendor: 'Synology Incorporated', randomised: false }), { deviceType: 'nas' });
  t.like(run({ prl: [], vendor: 'Samsung Electronics Co.,Ltd', randomised: false }), { likelyPersonalPhone: false, deviceType: 'unknown' });
});

test('unknown everything gives unknown with zero confidence', (t) => {
  t.like(run({ prl: [], randomised: false }), { osFamily: 'unknown', deviceType: 'unknown', confidence: 0, eol: false, likelyPersonalPhone: false, fingerprintId: null });
});
