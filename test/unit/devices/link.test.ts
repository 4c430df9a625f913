import test from 'ava';
import { linkDevice, type LinkCandidate } from '../../../firmware/src/devices/link.js';

const H = 3_600_000;
const IOS = [1, 121, 3, 6, 15, 108, 114, 119, 252];
const T = 1_764_100_000_000;
const old: LinkCandidate = { mac: '5a:11:22:33:44:55', randomised: true, clientId: '015a1122334455', hostname: 'Taros-iPhone', prl: IOS, vendorClass: null, firstSeen: T - 100 * H, lastSeen: T - 2 * H };
const obs = (o: Partial<Parameters<typeof linkDevice>[0]> = {}) => ({ mac: '7e:aa:bb:cc:dd:ee', randomised: true, clientId: '017eaabbccddee', hostname: 'Taros-iPhone', prl: IOS, vendorClass: null, at: T, ...o });

test('hostname + fingerprint + plausible timing → same', (t) => {
  const r = linkDevice(obs(), [old]);
  t.is(r.verdict, 'same');
  t.is(r.mac, old.mac);
  t.deepEqual(r.signals, ['hostname', 'fingerprint', 'timing']);
  t.is(r.score, 0.9);
  // Every iPhone sends that list: with a common fingerprint the individual name carries it.
  const common = linkDevice(obs({ commonFingerprint: true }), [old]);
  t.is(common.verdict, 'same');
  t.deepEqual(common.signals, ['hostname', 'common_fingerprint', 'timing']);
});

test('a common fingerprint with timing does not separate devices: new, not "maybe"', (t) => {
  const r = linkDevice(obs({ hostname: null, clientId: null, commonFingerprint: true }), [{ ...old, hostname: null }]);
  t.is(r.verdict, 'new');
  t.is(linkDevice(obs({ hostname: null, clientId: null, commonFingerprint: false }), [{ ...old, hostname: null }]).verdict, 'maybe');
});

test('different individual names speak against a link', (t) => {
  const r = linkDevice(obs({ hostname: 'Hanakos-iPhone' }), [old]);
  t.is(r.verdict, 'new');
});

test('equal client id (not derived from the MAC) is strong on its own', (t) => {
  const r = linkDevice(obs({ clientId: 'ff00aa', hostname: null, prl: [1, 3] }), [{ ...old, clientId: 'ff00aa' }]);
  t.is(r.verdict, 'same');
  t.true(r.signals.includes('client_id'));
});

test('a generic hostname ("iPhone") adds nothing: with a rare fingerprint "maybe", with a common one "new"', (t) => {
  const r = linkDevice(obs({ hostname: 'iPhone' }), [{ ...old, hostname: 'iPhone' }]);
  t.is(r.verdict, 'maybe');
  t.deepEqual(r.signals, ['generic_hostname', 'fingerprint', 'timing']);
  t.is(linkDevice(obs({ hostname: 'iPhone', commonFingerprint: true }), [{ ...old, hostname: 'iPhone' }]).verdict, 'new');
});

test('fingerprint and timing without a hostname → maybe; nothing shared → new', (t) => {
  t.is(linkDevice(obs({ hostname: null }), [old]).verdict, 'maybe');
  const r = linkDevice(obs({ hostname: 'other', prl: [1, 3, 6] }), [old]);
  t.is(r.verdict, 'new');
  t.is(r.mac, null);
});

test('hostname + fingerprint but the old address unseen for too long → maybe at most', (t) => {
  const r = linkDevice(obs(), [{ ...old, lastSeen: T - 40 * 24 * H }]);
  t.is(r.verdict, 'new'); // beyond maxGap it is not even a candidate
  // The old address still in use when the new one appears: two devices (a second identical printer).
  const r2 = linkDevice(obs({ clientId: null }), [{ ...old, lastSeen: T + H }]);
  t.is(r2.verdict, 'new');
  // Still in use a minute ago: without a name, another device; with its own name, a quick reconnect.
  t.is(linkDevice(obs({ clientId: null, hostname: null }), [{ ...old, hostname: null, lastSeen: T - 60_000 }]).verdict, 'new');
  t.is(linkDevice(obs({ clientId: null }), [{ ...old, lastSeen: T - 60_000 }]).verdict, 'same');
});

test('vendor (non-random) addresses are never linked', (t) => {
  t.is(linkDevice(obs({ randomised: false }), [old]).verdict, 'new');
});

test('the best of several candidates wins', (t) => {
  const decoy: LinkCandidate = { ...old, mac: '5a:00:00:00:00:01', hostname: 'Someone-else' };
  t.is(linkDevice(obs(), [decoy, old]).mac, old.mac);
});

test('a client id that is not the address itself (a DUID, RFC 4361) and differs is another device; two made of each own MAC say nothing', (t) => {
  const rare = { hostname: null, commonFingerprint: false };
  // Each id made of its own private MAC (what phones send): the rare list and timing still say "maybe".
  t.is(linkDevice(obs({ ...rare }), [{ ...old, hostname: null }]).verdict, 'maybe');
  // DUID-based ids (type 255) that differ: two machines, whatever the list and the timing.
  const r = linkDevice(obs({ ...rare, clientId: 'ff0000000100010001aaaa' }), [{ ...old, hostname: null, clientId: 'ff0000000100010001bbbb' }]);
  t.is(r.verdict, 'new');
  t.is(linkDevice(obs({ ...rare, clientId: 'ff0000000100010001aaaa' }), [{ ...old, hostname: null }]).verdict, 'new', 'a DUID against a MAC-made id differs too');
  // The same DUID after a change of address: the same device.
  t.is(linkDevice(obs({ ...rare, clientId: 'ff0000000100010001aaaa' }), [{ ...old, hostname: null, clientId: 'ff0000000100010001aaaa' }]).verdict, 'same');
});
