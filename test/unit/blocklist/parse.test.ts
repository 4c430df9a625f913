import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFeed, splitCsv } from '../../../firmware/src/blocklist/parse.js';
import { formatAddress, formatRange, MAX, type Family } from '../../../firmware/src/net/ip.js';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/feeds/${name}`, import.meta.url)), 'utf8');
const texts = (r: ReturnType<typeof parseFeed>): string[] => r.entries.map(formatRange);

test('plain: comments, CRLF, BOM, whitespace; every hostile line rejected by reason', (t) => {
  const r = parseFeed(fixture('plain-hostile.txt'), { format: 'plain' });
  t.deepEqual(texts(r).slice(0, 6), ['192.0.2.10', '198.51.100.23', '203.0.113.5', '203.0.113.5', '2001:db8:10::/48', '2001:db8::beef']);
  t.deepEqual(r.rejected, {
    leading_zero: 2,
    bad_char: 3, // hex octet, not-an-address, invalid UTF-8
    ipv4_parts: 1,
    host_bits: 1,
    bad_prefix: 1,
    octet_range: 1,
    zone_id: 1,
    mapped_ipv4: 1,
    extra_fields: 1,
    nul_byte: 1,
    line_too_long: 1,
  });
  t.is(r.rejectedTotal, 14);
  // guard-level lines are syntactically fine: the parser accepts them, the guard rejects them
  t.true(texts(r).includes('0.0.0.0/0'));
  t.is(r.dataLines, r.entries.length + r.rejectedTotal);
  t.is(r.samples.length, 5);
  for (const s of r.samples) t.true(s.text.length <= 120 && !s.text.includes('\u0000'));
});

test('sample limits are honoured', (t) => {
  const r = parseFeed('x\n'.repeat(50) + 'A'.repeat(5000), { format: 'plain', maxSamples: 2, sampleLength: 10, maxLineLength: 100 });
  t.is(r.samples.length, 2);
  t.deepEqual(r.samples[0], { line: 1, reason: 'ipv4_parts', text: 'x' });
  t.is(r.rejected.line_too_long, 1);
});

test('spamhaus-drop text v4 and v6', (t) => {
  const v4 = parseFeed(fixture('spamhaus-drop.txt'), { format: 'spamhaus-drop' });
  t.deepEqual(texts(v4), ['192.0.2.0/24', '198.51.100.0/25', '198.51.100.128/25', '203.0.113.64/26', '203.0.113.0/25', '10.0.0.0/8', '0.0.0.0/0', '8.0.0.0/6']);
  t.deepEqual(v4.rejected, { host_bits: 1 });
  const v6 = parseFeed(fixture('spamhaus-dropv6.txt'), { format: 'spamhaus-drop' });
  t.is(v6.entries.length, 6);
  t.deepEqual(v6.rejected, { host_bits: 1 });
});

test('spamhaus-jsonl with metadata line', (t) => {
  const v4 = parseFeed(fixture('spamhaus-drop_v4.jsonl'), { format: 'spamhaus-jsonl' });
  t.deepEqual(texts(v4), ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.128/25', '172.16.0.0/12']);
  t.deepEqual(v4.rejected, { leading_zero: 1, bad_record: 3, bad_json: 1 });
  t.is(v4.declaredRecords, 9);
  const v6 = parseFeed(fixture('spamhaus-drop_v6.jsonl'), { format: 'spamhaus-jsonl' });
  t.deepEqual(texts(v6), ['2001:db8:1000::/36', '2001:db8:ab00::/40', 'fe80::/10']);
  t.deepEqual(v6.rejected, { zone_id: 1 });
  t.is(v6.declaredRecords, 4);
});

test('csv by column number with a commented header (SSLBL)', (t) => {
  const r = parseFeed(fixture('sslbl-ipblacklist.csv'), { format: 'csv', csv: { column: 2 } });
  t.deepEqual(texts(r), ['192.0.2.44', '198.51.100.99', '2001:db8:44::1', '127.0.0.1']);
  t.deepEqual(r.rejected, { leading_zero: 1, csv_column_missing: 1, bad_csv: 1 });
});

test('csv by header name, quoted fields (Feodo CSV)', (t) => {
  const r = parseFeed(fixture('feodo-ipblocklist.csv'), { format: 'csv', csv: { column: 'DST_IP' } });
  t.deepEqual(texts(r), ['192.0.2.61', '203.0.113.62', '198.51.100.63', '169.254.1.1']);
  t.deepEqual(r.rejected, { bad_csv: 1 });
});

test('csv: uncommented header, other delimiter, unknown column name', (t) => {
  const body = 'when;ip\n2026;192.0.2.1\n2026;"192.0.2.2"\n';
  t.deepEqual(texts(parseFeed(body, { format: 'csv', csv: { column: 'ip', delimiter: ';' } })), ['192.0.2.1', '192.0.2.2']);
  t.deepEqual(texts(parseFeed(body, { format: 'csv', csv: { column: 2, delimiter: ';', header: true } })), ['192.0.2.1', '192.0.2.2']);
  const missing = parseFeed(body, { format: 'csv', csv: { column: 'address', delimiter: ';' } });
  t.deepEqual(missing.rejected, { csv_column_missing: 2 });
  t.throws(() => parseFeed(body, { format: 'csv' }), { instanceOf: TypeError });
  t.deepEqual(splitCsv('"a ""b""", c ,', ','), ['a "b"', 'c', '']);
});

test('range format', (t) => {
  const r = parseFeed(fixture('ranges.txt'), { format: 'range' });
  t.deepEqual(texts(r), ['192.0.2.1-192.0.2.20', '198.51.100.0/24', '203.0.113.9', '2001:db8::1-2001:db8::ff', '2001:db8:1::/64', '10.0.0.0/8', '0.0.0.0/0']);
  t.deepEqual(r.rejected, { range_order: 1, family_mismatch: 1, extra_fields: 1 });
});

test('allowHostBits masks instead of rejecting', (t) => {
  const r = parseFeed('203.0.113.7/24\n', { format: 'plain', allowHostBits: true });
  t.deepEqual(texts(r), ['203.0.113.0/24']);
});

const family = fc.constantFrom<Family>(4, 6);
const addr = family.chain((f) => fc.bigInt({ min: 0n, max: MAX[f] }).map((v) => ({ f, v })))
  .filter(({ f, v }) => !(f === 6 && v >> 32n === 0xffffn));

test('property: formatted addresses with random decoration round-trip through plain', (t) => {
  const deco = fc.record({ lead: fc.constantFrom('', ' ', '\t', '  '), trail: fc.constantFrom('', ' ', ' # c', ';c', '\t#x;y'), eol: fc.constantFrom('\n', '\r\n') });
  fc.assert(fc.property(fc.array(fc.tuple(addr, deco), { maxLength: 30 }), fc.boolean(), (items, bom) => {
    const body = (bom ? '\uFEFF' : '') + items.map(([a, d]) => d.lead + formatAddress(a.f, a.v) + d.trail + d.eol).join('');
    const r = parseFeed(body, { format: 'plain' });
    return r.rejectedTotal === 0 && r.entries.length === items.length &&
      r.entries.every((e, i) => e.first === items[i]![0].v && e.last === e.first && e.family === items[i]![0].f);
  }));
  t.pass();
});

test('property: arbitrary junk never throws and every data line is accounted for', (t) => {
  fc.assert(fc.property(fc.string({ maxLength: 400 }), fc.constantFrom('plain', 'spamhaus-drop', 'spamhaus-jsonl', 'range') as fc.Arbitrary<'plain'>, (body, format) => {
    const r = parseFeed(body, { format });
    return r.dataLines === r.entries.length + r.rejectedTotal &&
      Object.values(r.rejected).reduce((a, b) => a + (b ?? 0), 0) === r.rejectedTotal;
  }), { numRuns: 2000 });
  fc.assert(fc.property(fc.string({ maxLength: 400 }), (body) => {
    const r = parseFeed(body, { format: 'csv', csv: { column: 2 } });
    return r.dataLines === r.entries.length + r.rejectedTotal;
  }), { numRuns: 1000 });
  t.pass();
});

test('clean real-format fixtures parse without rejects', (t) => {
  const feodo = parseFeed(fixture('feodo-ipblocklist_recommended.txt'), { format: 'plain' });
  t.deepEqual(texts(feodo), ['192.0.2.61', '198.51.100.63', '203.0.113.62']);
  t.is(feodo.rejectedTotal, 0);
  const mixed = parseFeed(fixture('blocklist-de-all.txt'), { format: 'plain' });
  t.is(mixed.entries.filter((x) => x.family === 6).length, 2);
  t.is(mixed.rejectedTotal, 0);
});
