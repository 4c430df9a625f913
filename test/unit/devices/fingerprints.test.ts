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
      t.true(m!.signals.includes('prl_exact'));
    });
  }
}

test('prefix and similarity matches give lower scores than exact', (t) => {
  const exact = matchFingerprint(table, { prl: [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252], vendorClass: 'MSFT 5.0', vendor: null })!;
  const longer = matchFingerprint(table, { prl: [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252, 12], vendorClass: 'MSFT 5.0', vendor: null })!;
  t.is(exact.entry.id, 'windows-10-11');
  t.is(longer.entry.id, 'windows-10-11');
  t.true(longer.signals.includes('prl_prefix'));
  t.true(longer.score < exact.score);
  const reordered = matchFingerprint(table, { prl: [1, 3, 6, 15, 26, 28, 51, 58, 43, 59], vendorClass: null, vendor: null })!;
  t.is(reordered.entry.id, 'android');
  t.true(reordered.signals.includes('prl_similar'));
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
