import test from 'ava';
import fc from 'fast-check';
import {
  BITS, IpParseError, MAX, exactCidr, formatAddress, formatRange, isValidAddress, parseAddress,
  parseCidr, parseEntry, parseRange, rangeContains, rangeToCidrs, rangesOverlap,
  type Family, type IpParseReason,
} from '../../../firmware/src/net/ip.js';

function reasonOf(fn: () => unknown): IpParseReason | 'no-throw' {
  try {
    fn();
    return 'no-throw';
  } catch (err) {
    if (err instanceof IpParseError) return err.reason;
    throw err;
  }
}

test('parses strict IPv4', (t) => {
  t.deepEqual(parseAddress('1.2.3.4'), { family: 4, value: 0x01020304n });
  t.deepEqual(parseAddress('0.0.0.0'), { family: 4, value: 0n });
  t.deepEqual(parseAddress('255.255.255.255'), { family: 4, value: MAX[4] });
});

test('rejects ambiguous IPv4 with a reason', (t) => {
  const cases: Array<[string, IpParseReason]> = [
    ['012.0.0.1', 'leading_zero'],
    ['1.02.3.4', 'leading_zero'],
    ['1.2.3.00', 'leading_zero'],
    ['0x7f.0.0.1', 'bad_char'],
    ['1.2.3', 'ipv4_parts'],
    ['1.2.3.4.5', 'ipv4_parts'],
    ['127.1', 'ipv4_parts'],
    ['2130706433', 'ipv4_parts'],
    ['256.0.0.1', 'octet_range'],
    ['1.2.3.1000', 'octet_range'],
    ['1.2..4', 'bad_char'],
    ['1.2.3.4 ', 'whitespace'],
    [' 1.2.3.4', 'whitespace'],
    ['1.2.\t3.4', 'whitespace'],
    ['', 'empty'],
    ['1.2.3.4\u0000', 'bad_char'],
    ['１.2.3.4', 'bad_char'],
    ['9'.repeat(200), 'too_long'],
  ];
  for (const [text, reason] of cases) t.is(reasonOf(() => parseAddress(text)), reason, text);
});

test('parses IPv6 forms and formats RFC 5952', (t) => {
  const cases: Array<[string, string]> = [
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
  ];
  for (const [text, norm] of cases) {
    const a = parseAddress(text);
    t.is(a.family, 6);
    t.is(formatAddress(6, a.value), norm, text);
  }
});

test('rejects bad IPv6 with a reason', (t) => {
  const cases: Array<[string, IpParseReason]> = [
    ['fe80::1%eth0', 'zone_id'],
    ['1:::2', 'bad_ipv6'],
    ['1::2::3', 'bad_ipv6'],
    ['1:2:3:4:5:6:7:8:9', 'bad_ipv6'],
    ['1:2:3:4:5:6:7', 'bad_ipv6'],
    ['12345::', 'bad_ipv6'],
    ['1:2:3:4:5:6:7:8::', 'bad_ipv6'],
    [':1:2:3:4:5:6:7', 'bad_ipv6'],
    ['g::1', 'bad_char'],
    ['::ffff:1.2.3.4', 'mapped_ipv4'],
    ['::ffff:102:304', 'mapped_ipv4'],
    ['::ffff:01.2.3.4', 'leading_zero'],
    ['2001:db8::1.2.3', 'ipv4_parts'],
  ];
  for (const [text, reason] of cases) t.is(reasonOf(() => parseAddress(text)), reason, text);
  t.false(isValidAddress('::ffff:1.2.3.4'));
  t.true(isValidAddress('2001:db8::1'));
});

test('parseCidr: bare address, host bits, prefix rules', (t) => {
  t.deepEqual(parseCidr('192.0.2.0/24'), { family: 4, first: 0xc0000200n, last: 0xc00002ffn, prefixLen: 24 });
  t.deepEqual(parseCidr('192.0.2.7'), { family: 4, first: 0xc0000207n, last: 0xc0000207n, prefixLen: 32 });
  t.is(reasonOf(() => parseCidr('192.0.2.7/24')), 'host_bits');
  t.is(parseCidr('192.0.2.7/24', { allowHostBits: true }).first, 0xc0000200n);
  t.is(reasonOf(() => parseCidr('192.0.2.0/33')), 'prefix_range');
  t.is(reasonOf(() => parseCidr('192.0.2.0/024')), 'bad_prefix');
  t.is(reasonOf(() => parseCidr('192.0.2.0/')), 'bad_prefix');
  t.is(reasonOf(() => parseCidr('192.0.2.0/255.255.255.0')), 'bad_prefix');
  t.is(reasonOf(() => parseCidr('2001:db8::/129')), 'prefix_range');
  t.is(parseCidr('0.0.0.0/0').last, MAX[4]);
  t.is(parseCidr('2001:db8::/32').prefixLen, 32);
});

test('parseRange and parseEntry', (t) => {
  t.deepEqual(parseRange('192.0.2.1-192.0.2.9'), { family: 4, first: 0xc0000201n, last: 0xc0000209n });
  t.is(reasonOf(() => parseRange('192.0.2.9-192.0.2.1')), 'range_order');
  t.is(reasonOf(() => parseRange('192.0.2.1-2001:db8::1')), 'family_mismatch');
  t.is(reasonOf(() => parseRange('192.0.2.1 - 192.0.2.9')), 'whitespace');
  t.is(reasonOf(() => parseRange('1-2-3')), 'bad_char');
  t.deepEqual(parseEntry('2001:db8::/127'), { family: 6, first: 0x20010db8n << 96n, last: (0x20010db8n << 96n) + 1n });
});

test('formatRange picks single, prefix or range', (t) => {
  t.is(formatRange(parseEntry('192.0.2.1')), '192.0.2.1');
  t.is(formatRange(parseEntry('192.0.2.0-192.0.2.255')), '192.0.2.0/24');
  t.is(formatRange(parseEntry('192.0.2.1-192.0.2.2')), '192.0.2.1-192.0.2.2');
  t.is(exactCidr(parseEntry('0.0.0.0-255.255.255.255'))?.prefixLen, 0);
  t.true(rangeContains(parseEntry('192.0.2.0/24'), parseEntry('192.0.2.5-192.0.2.6')));
  t.false(rangesOverlap(parseEntry('192.0.2.0/24'), parseEntry('2001:db8::/32')));
});

const family = fc.constantFrom<Family>(4, 6);
const addr = family.chain((f) => fc.bigInt({ min: 0n, max: MAX[f] }).map((value) => ({ family: f, value })));

test('property: format → parse round-trips every address', (t) => {
  fc.assert(fc.property(addr, (a) => {
    const text = formatAddress(a.family, a.value);
    const back = parseAddress(text);
    // mapped IPv4 is the one deliberate hole
    const mapped = a.family === 6 && a.value >> 32n === 0xffffn;
    return mapped ? !isValidAddress(text) : back.family === a.family && back.value === a.value && formatAddress(back.family, back.value) === text;
  }), { numRuns: 3000 });
  t.pass();
});

test('property: rangeToCidrs covers exactly, in order, with maximal blocks', (t) => {
  const range = family.chain((f) => fc.tuple(fc.bigInt({ min: 0n, max: MAX[f] }), fc.bigInt({ min: 0n, max: 1n << 40n }))
    .map(([first, span]) => ({ family: f, first, last: first + span > MAX[f] ? MAX[f] : first + span })));
  fc.assert(fc.property(range, (r) => {
    const cs = rangeToCidrs(r);
    if (cs[0]?.first !== r.first || cs.at(-1)?.last !== r.last) return false;
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i]!;
      if (exactCidr(c)?.prefixLen !== c.prefixLen) return false;
      if (i > 0 && cs[i - 1]!.last + 1n !== c.first) return false;
      // minimality: two neighbours never form one aligned prefix of double size
      if (i > 0) {
        const p = cs[i - 1]!;
        if (p.prefixLen === c.prefixLen && exactCidr({ family: r.family, first: p.first, last: c.last })) return false;
      }
    }
    return cs.length <= 2 * BITS[r.family];
  }), { numRuns: 2000 });
  t.pass();
});

test('property: any IPv4-looking text is accepted only in its one normal form', (t) => {
  const chars = fc.constantFrom('0', '1', '2', '5', '9', '.', '.', 'x', ' ');
  const text = fc.array(chars, { minLength: 1, maxLength: 16 }).map((xs) => xs.join(''));
  const quad = fc.tuple(...Array.from({ length: 4 }, () => fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('00', '01', '010', '0255', ''))))
    .map((p) => p.join('.'));
  fc.assert(fc.property(fc.oneof(text, quad), (s) => {
    if (!isValidAddress(s)) return true;
    const a = parseAddress(s);
    return a.family === 4 && formatAddress(4, a.value) === s;
  }), { numRuns: 5000 });
  t.pass();
});
