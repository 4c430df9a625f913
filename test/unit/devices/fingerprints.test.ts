import test from 'ava';
import { decodeDhcp } from '../../../firmware/src/devices/dhcp.js';
import { loadFingerprints } from '../../../firmware/src/devices/fingerprintFile.js';
import { compileFingerprints, FingerprintTableError, matchFingerprint, prlSimilarity } from '../../../firmware/src/devices/fingerprints.js';
import { clientRequest } from './dhcpBuilder.js';

const table = loadFingerprints();

test('the table covers the families the issue asks for, each with a cited source', (t) => {
  const ids = table.entries.map((e) => e.id);
  for (const id of ['windows-xp', 'windows-vista-7', 'windows-10-11', 'macos-legacy', 'apple-modern', 'ios', 'android', 'printer-hp', 'printer-canon', 'printer-epson', 'printer-brother', 'nas-synology', 'nas-qnap', 'linux-dhclient']) {
    t.true(ids.includes(id), id);
  }
  for (const e of table.entries) t.true(e.source.length > 0 && e.source.every((s) => s.length > 3), e.id);
  t.true(table.entries.filter((e) => e.eol).map((e) => e.id).includes('windows-xp'));
});

// Every option-55 list in the table, sent byte by byte as a DHCP DISCOVER with the entry's
// vendor class, must come back as that entry (or, where two sources list the same order,
// an entry of the same family).
for (const e of table.entries) {
  for (const prl of e.prl ?? []) {
    test(`DHCP packet for ${e.id} [${prl.join(',')}] matches ${e.id}`, (t) => {
      const vc = e.vendorClass?.[0];
      const vendorClass = vc === undefined ? undefined : vc.match === 'exact' ? vc.value : `${vc.value}13`;
      const r = decodeDhcp(clientRequest({ mac: '00:00:5e:00:53:10', prl, vendorClass }));
      if (!r.ok) return t.fail(r.reason);
      const m = matchFingerprint(table, { prl: r.message.prl, vendorClass: r.message.vendorClass, vendor: null });
      t.truthy(m);
      t.is(m!.entry.id, e.id);
      // A list public databases also give to another kind of device matches, but only as 'prl_shared'.
      t.true(m!.signals.includes(table.shared.has(prl.join(',')) ? 'prl_shared' : 'prl_exact'));
    });
  }
}

test('a shared list decides nothing alone: FreeBSD\'s dhclient list is not a phone without a Nokia/BlackBerry option 60', (t) => {
  const alone = matchFingerprint(table, { prl: [1, 28, 2, 121, 3, 15, 6, 12], vendorClass: null, vendor: null });
  t.true(alone !== null && alone.score < 0.5 && alone.signals.includes('prl_shared'));
  const nokia = matchFingerprint(table, { prl: [1, 28, 2, 121, 3, 15, 6, 12], vendorClass: 'Nokia Corporation', vendor: null });
  t.is(nokia?.entry.id, 'feature-phone');
  t.true((nokia?.score ?? 0) >= 0.6);
});

test('the whole signature: a longer or shorter list never matches by prefix; a reordered one scores lower', (t) => {
  const WIN10 = [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252];
  const exact = matchFingerprint(table, { prl: WIN10, vendorClass: 'MSFT 5.0', vendor: null })!;
  t.is(exact.entry.id, 'windows-10-11');
  t.deepEqual(exact.signals, ['prl_exact', 'vendor_class_exact']);
  const longer = matchFingerprint(table, { prl: [...WIN10, 12], vendorClass: null, vendor: null });
  t.is(longer, null);
  const shorter = matchFingerprint(table, { prl: [1, 3, 6, 15], vendorClass: null, vendor: null });
  t.is(shorter, null, 'the Xbox/AP/printer list is nobody in particular');
  // The vendor class still counts on its own, but says only what it says (Windows).
  const vcOnly = matchFingerprint(table, { prl: [...WIN10, 12], vendorClass: 'MSFT 5.0', vendor: null })!;
  t.false(vcOnly.signals.includes('prl_exact'));
  t.true(vcOnly.tiedWith.length > 0);
  const reordered = matchFingerprint(table, { prl: [1, 3, 6, 15, 26, 28, 51, 58, 43, 59], vendorClass: null, vendor: null })!;
  t.is(reordered.entry.id, 'android');
  t.true(reordered.signals.includes('prl_similar'));
  t.true(reordered.score < 0.5);
});

test('ties are kept, not broken by table order', (t) => {
  const base = { version: 1, sources: {}, hostnameHints: [], phoneVendors: { patterns: [], source: ['IEEE'] } };
  const a = { id: 'a', osFamily: 'windows', osName: 'A', deviceType: 'pc', eol: true, prl: [[1, 3, 6, 15, 44]], source: ['FB [os 1]'] };
  const b = { id: 'b', osFamily: 'embedded', osName: 'B', deviceType: 'printer', eol: false, prl: [[1, 3, 6, 15, 44]], ouiVendors: ['^Xerox'], source: ['FB [os 2]'] };
  for (const entries of [[a, b], [b, a]]) {
    const tb = compileFingerprints({ ...base, entries });
    const m = matchFingerprint(tb, { prl: [1, 3, 6, 15, 44], vendorClass: null, vendor: null })!;
    t.deepEqual([m.entry.id, ...m.tiedWith.map((e) => e.id)].sort(), ['a', 'b']);
    // Evidence breaks the tie: the registered vendor is a printer maker.
    const x = matchFingerprint(tb, { prl: [1, 3, 6, 15, 44], vendorClass: null, vendor: 'Xerox Corporation' })!;
    t.is(x.entry.id, 'b');
    t.deepEqual(x.tiedWith, []);
  }
});

test('vendor class alone (android-dhcp-13) and registered vendor alone (QNAP) match', (t) => {
  t.is(matchFingerprint(table, { prl: [], vendorClass: 'android-dhcp-13', vendor: null })?.entry.id, 'android');
  t.is(matchFingerprint(table, { prl: [], vendorClass: null, vendor: 'QNAP Systems, Inc.' })?.entry.id, 'nas-qnap');
  t.is(matchFingerprint(table, { prl: [], vendorClass: 'MSFT 98', vendor: null })?.entry.id, 'windows-98');
});

test('nothing matches an unrelated list', (t) => {
  t.is(matchFingerprint(table, { prl: [200, 201, 202], vendorClass: null, vendor: null }), null);
});

test('prlSimilarity: identical is 1, disjoint is 0, reordering costs', (t) => {
  t.is(prlSimilarity([1, 2, 3], [1, 2, 3]), 1);
  t.is(prlSimilarity([1, 2, 3], [4, 5]), 0);
  t.true(prlSimilarity([1, 2, 3, 4], [4, 3, 2, 1]) < prlSimilarity([1, 2, 3, 4], [1, 2, 4, 3]));
});

test('a table entry without a source, or a duplicate id, is rejected', (t) => {
  const base = { version: 1, sources: {}, hostnameHints: [], phoneVendors: { patterns: [], source: ['IEEE'] } };
  const entry = { id: 'x', osFamily: 'linux', osName: 'X', deviceType: 'pc', eol: false, prl: [[1, 3]], source: ['FB [os 1]'] };
  t.throws(() => compileFingerprints({ ...base, entries: [{ ...entry, source: [] }] }), { instanceOf: FingerprintTableError });
  t.throws(() => compileFingerprints({ ...base, entries: [entry, entry] }), { instanceOf: FingerprintTableError });
  t.throws(() => compileFingerprints({ ...base, entries: [{ ...entry, extra: 1 }] }), { instanceOf: FingerprintTableError });
  t.notThrows(() => compileFingerprints({ ...base, entries: [entry] }));
});
