import test from 'ava';
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { NameRefusals, protectedNames, refusalOf, renderNamesFile, roleNames } from '../../../firmware/src/devices/hostNames.js';
import type { Device } from '../../../firmware/src/devices/model.js';
import { registeredLabel } from '../../../firmware/src/net/dnsName.js';

function device(mac: string, over: Partial<Device>): Device {
  return {
    mac, ipv4: [], ipv6: [], hostname: null, vendor: null, randomised: false, fingerprint: null, osFamily: 'unknown', osName: '',
    deviceType: 'unknown', confidence: 0, eol: false, likelyPersonalPhone: false, phoneReasons: [], firstSeen: 1000, lastSeen: 1000,
    status: 'new', label: null, linkedTo: null, maybeSameAs: null, alerted: false, pendingSince: null, ...over,
  };
}

const ROLE = roleNames(['Otasuke', 'box-dev-0002', '日本語']);
const DEVICES = [
  device('00:14:22:00:00:01', { status: 'approved', hostname: 'Keiri-PC', firstSeen: 1 }),
  device('00:14:22:00:00:02', { status: 'learning', label: 'printer', hostname: 'HP1234', firstSeen: 2 }),
  device('00:14:22:00:00:03', { status: 'approved', hostname: 'keiri-pc.corp.example', firstSeen: 3 }), // same name, later: no hold
  device('00:14:22:00:00:04', { status: 'new', hostname: 'somebody' }),                                   // not approved: holds nothing
  device('00:14:22:00:00:05', { status: 'approved', hostname: 'WPAD' }),                                  // role names are never held
  device('00:14:22:00:00:06', { status: 'learning', label: '経理のパソコン', hostname: 'soumu-pc' }),     // label not a host name
];

test('role names: wpad, isatap, localhost and the box\'s own valid names, lower case', (t) => {
  t.deepEqual(ROLE, ['box-dev-0002', 'isatap', 'localhost', 'otasuke', 'wpad']);
});

// Regenerate after an intended change with UPDATE_GOLDEN=1 and review the diff.
test('the names file renders the golden text: owners first, then one refusing line per held name', (t) => {
  const got = renderNamesFile(protectedNames(DEVICES, ROLE));
  const file = new URL('../../fixtures/devices/dnsmasq-names.golden.hosts', import.meta.url);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, got);
  t.is(got, readFileSync(file, 'utf8'));
});

test('held names: approved or labelled devices; the first seen keeps a shared name', (t) => {
  const p = protectedNames(DEVICES, ROLE);
  t.deepEqual([...p.held.entries()].sort(), [
    ['hp1234', '00:14:22:00:00:02'], ['keiri-pc', '00:14:22:00:00:01'], ['printer', '00:14:22:00:00:02'], ['soumu-pc', '00:14:22:00:00:06'],
  ]);
  t.is(p.pinned.get('00:14:22:00:00:02'), 'hp1234', 'its own host name, not the label');
  t.false(p.pinned.has('00:14:22:00:00:03'));
  t.false(p.pinned.has('00:14:22:00:00:05'));
});

test('refusals: role names for everyone, held names for everyone but the owner, whatever the case, dot or domain', (t) => {
  const p = protectedNames(DEVICES, ROLE);
  const other = '02:00:00:00:00:99';
  for (const n of ['wpad', 'WPAD.', 'wpad.evil.example', 'LocalHost', 'localhost.', 'otasuke', 'Box-Dev-0002', 'isatap']) {
    t.is(refusalOf(n, other, p)?.reason, 'role', n);
  }
  t.is(refusalOf('wpad', '00:14:22:00:00:05', p)?.reason, 'role', 'even for an approved device');
  for (const n of ['keiri-pc', 'KEIRI-PC.', 'keiri-pc.lan', 'Printer']) t.deepEqual(refusalOf(n, other, p)?.reason, 'held', n);
  t.is(refusalOf('Keiri-PC', '00:14:22:00:00:01', p), null, 'the owner keeps its name');
  t.is(refusalOf('keiri-pc', '00:14:22:00:00:02', p)?.reason, 'held', 'another owner may not take it either');
  t.is(refusalOf('somebody', other, p), null);
  t.is(refusalOf('bad name!', other, p), null, 'a name dnsmasq would not register is no refusal');
});

test('property: a refused name is refused in any case and with a trailing dot', (t) => {
  const p = protectedNames(DEVICES, ROLE);
  fc.assert(fc.property(fc.constantFrom('wpad', 'keiri-pc', 'printer', 'localhost'), fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }), fc.boolean(),
    (name, upper, dot) => {
      const v = Array.from(name).map((c, i) => (upper[i % 10] ? c.toUpperCase() : c)).join('') + (dot ? '.' : '');
      return refusalOf(v, '02:00:00:00:00:99', p) !== null && registeredLabel(v) === name;
    }));
  t.pass();
});

test('one refusal per DHCP exchange; the same device asking again is one finding', (t) => {
  const r = new NameRefusals();
  const e = { mac: '02:00:00:00:00:99', name: 'wpad', reason: 'role' as const, at: 1000 };
  t.is(r.note({ ...e, xid: 7 }), null);
  t.is(r.note({ ...e, xid: 7, at: 1100 }), null, 'DISCOVER and REQUEST of one exchange');
  t.is(r.counts.refusals, 1);
  const f = r.note({ ...e, xid: 8, at: 60_000, ip: '192.168.77.150' });
  t.is(f?.kind, 'dhcp_name_refused');
  t.is(f?.dedupKey, 'dhcp_name:02:00:00:00:00:99:wpad');
  t.is(f?.params['attempts'], 2);
  t.is(f?.action, 'none');
  t.deepEqual(r.counts, { refusals: 2, role: 2, held: 0, findings: 1 });
  t.is(r.note({ ...e, mac: '02:00:00:00:00:98', xid: 9 }), null, 'another device starts its own count');
  t.regex(r.summary(), /host names refused: 3 \(role 3, held 0\), repeat findings 1; last: 02:00:00:00:00:98 asked for "wpad"/);
});
