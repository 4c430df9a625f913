// IPv6 on numbers (issue 14) must read, split, sort, print and diff exactly as the bigint
// reference in net/ip.ts does: property tests on random and edge-case addresses.
import test from 'ava';
import fc from 'fast-check';
import { cmpV6, diffV6, forEachCidrV6, putV6BigInt, readV6RangeText, scanV6Address, scanV6Line, sortV6Order, v6BigInt } from '../../../firmware/src/net/ip6Numbers.js';
import { joinV6, v6RangeText, v6TextAt, v6Texts } from '../../../firmware/src/net/ip6Text.js';
import { formatAddress, formatRange, IpParseError, parseCidr, parseEntry, rangeToCidrs, type IpRange } from '../../../firmware/src/net/ip.js';
import { diffSingles } from '../../../firmware/src/blocklist/diff.js';

const MAX = (1n << 128n) - 1n;

/** A 16-bit group, biased to zero runs and edge values. */
const arbGroup = fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 15 }));
const arbGroups = fc.array(arbGroup, { minLength: 8, maxLength: 8 });

/** IPv6 text in any of the forms RFC 4291 allows (and some it does not). */
export const arbV6Text = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(arbGroups, fc.nat(8), fc.nat(8), fc.boolean(), fc.boolean(), fc.boolean(), fc.option(fc.integer({ min: 0, max: 130 }))).map(([g, a, b, pad, upper, tail, len]) => {
    const hex = (x: number): string => { const s = x.toString(16); return pad ? s.padStart(4, '0') : s; };
    let parts = g.map(hex);
    if (tail) parts = [...parts.slice(0, 6), `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`];
    const from = Math.min(a, b, parts.length);
    const to = Math.min(Math.max(a, b), parts.length);
    let text = from === to && a % 2 === 0 ? parts.join(':') : `${parts.slice(0, from).join(':')}::${parts.slice(to).join(':')}`;
    if (upper) text = text.toUpperCase();
    return len === null ? text : `${text}/${len}`;
  }) },
  { weight: 2, arbitrary: fc.stringMatching(/^[0-9a-fA-F:.\/%]{0,30}$/) },
  { weight: 1, arbitrary: fc.constantFrom('::', '::1', '::/0', '1::', ':::', '1:::2', '::1::', ':1::', '1::2:', 'fe80::1%eth0', '::ffff:1.2.3.4', '::ffff:0:0/96', '::fffe:0:0/95',
    '::1.2.3.4', '::01.2.3.4', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6::1.2.3.4', '1:2:3:4:5::1.2.3.4',
    '2001:db8::/32', '2001:db8::/032', '2001:db8::1/64', '2001:db8::/129', '2001:db8::/', '12345::', '2001:db8::g', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128',
    '1.2.3.4', '1.2.3.4::', '::1.2.3', '::1.2.3.4.5', '::256.1.1.1', ' ::1', '::1 ', '2001:DB8::A/48') },
);

function reference(text: string, allowHostBits: boolean): IpRange | null {
  try {
    const c = parseCidr(text, { allowHostBits });
    return c.family === 6 ? c : null;
  } catch (e) {
    if (e instanceof IpParseError) return null;
    throw e;
  }
}

test('scanV6Line accepts exactly what parseCidr accepts as IPv6, with the same range, and finds the line end', (t) => {
  const seen = { valid: 0, tail: 0, compressed: 0 };
  fc.assert(fc.property(arbV6Text, fc.boolean(), fc.constantFrom('', '\n', '\r\n', '\nxx', '\r\n::1', '\r'), (text, allowHostBits, tail) => {
    const out = new Uint32Array(8);
    const bytes = Buffer.from(`xx${text}${tail}`);
    const end = scanV6Line(bytes, 2, bytes.length, allowHostBits, out);
    const slow = reference(text, allowHostBits);
    t.is(end >= 0, slow !== null, text); // not only a subset: every valid IPv6 form is read on numbers
    if (slow === null) return;
    seen.valid++;
    if (text.includes('.')) seen.tail++;
    if (text.includes('::')) seen.compressed++;
    t.deepEqual([v6BigInt(out, 0), v6BigInt(out, 4)], [slow.first, slow.last], text);
    const lf = bytes.indexOf(10, 2);
    t.is(end, lf === -1 ? bytes.length : lf);
  }), { numRuns: 3000 });
  // the generator must reach the valid forms, not only the refusals
  t.true(seen.valid > 600 && seen.tail > 50 && seen.compressed > 200, JSON.stringify(seen));
});

test('scanV6Address refuses a zone id, a mapped IPv4 address and every address with a flaw', (t) => {
  const ok = (s: string): boolean => scanV6Address(Buffer.from(s), 0, s.length, new Uint32Array(4), 0);
  for (const s of ['fe80::1%eth0', '::ffff:1.2.3.4', '::ffff:0:0', ':::', '1::2::3', '12345::', '::1.2.3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', ':1:2:3:4:5:6:7', '']) t.false(ok(s), s);
  for (const s of ['::', '::1', '1::', '::1.2.3.4', '::fffe:1.2.3.4', 'FFFF::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::']) t.true(ok(s), s);
});

const arbV6 = fc.oneof(
  fc.bigInt({ min: 0n, max: MAX }),
  fc.tuple(arbGroups).map(([g]) => g.reduce((v, x) => (v << 16n) | BigInt(x), 0n)),
  fc.constantFrom(0n, 1n, MAX, MAX - 1n, 1n << 64n, (1n << 64n) - 1n, 1n << 127n),
);

test('v6TextAt, v6Texts and joinV6 write RFC 5952 text as formatAddress does', (t) => {
  fc.assert(fc.property(fc.array(arbV6, { maxLength: 8 }), (vs) => {
    const w = new Uint32Array(4 * vs.length);
    vs.forEach((v, i) => putV6BigInt(v, w, 4 * i));
    vs.forEach((v, i) => t.is(v6TextAt(w, 4 * i), formatAddress(6, v)));
    t.is(joinV6(w).toString(), vs.map((v) => `"${formatAddress(6, v)}"`).join(','));
    t.deepEqual(v6Texts(w), vs.map((v) => formatAddress(6, v)));
  }));
});

test('forEachCidrV6 splits a range into the prefixes rangeToCidrs gives, and v6RangeText prints it as formatRange', (t) => {
  const arbRange = fc.oneof(
    fc.tuple(arbV6, arbV6),
    fc.tuple(arbV6, fc.bigInt({ min: 0n, max: 1n << 70n })).map(([a, d]) => [a, a + d > MAX ? MAX : a + d] as const),
    fc.constantFrom([0xffffn << 32n, 0xffffn << 33n] as const, [0n, MAX] as const, [1n, MAX] as const, [0n, MAX - 1n] as const, [MAX, MAX] as const),
  );
  fc.assert(fc.property(arbRange, ([a, b]) => {
    const [first, last] = a <= b ? [a, b] : [b, a];
    const w = new Uint32Array(8);
    putV6BigInt(first, w, 0);
    putV6BigInt(last, w, 4);
    const got: string[] = [];
    forEachCidrV6(w, 0, w, 4, (x, at, len) => got.push(`${v6BigInt(x, at)}/${len}`));
    t.deepEqual(got, rangeToCidrs({ family: 6, first, last }).map((c) => `${c.first}/${c.prefixLen}`));
    const text = v6RangeText(w, 0, w, 4);
    t.is(text, formatRange({ family: 6, first, last }));
    // read back as the snapshot does: what parseEntry reads (mapped IPv4 never is), the same way
    const back = new Uint32Array(8);
    let ref: IpRange | null = null;
    try { ref = parseEntry(text); } catch (e) { if (!(e instanceof IpParseError)) throw e; }
    if (ref === null) t.throws(() => readV6RangeText(text, back), { instanceOf: IpParseError });
    else {
      readV6RangeText(text, back);
      t.deepEqual(Array.from(back), Array.from(w));
    }
  }));
});

test('sortV6Order sorts as bigints do, and diffV6 gives what diffSingles gives', (t) => {
  fc.assert(fc.property(fc.array(arbV6, { maxLength: 60 }), fc.array(arbV6, { maxLength: 60 }), (xs, ys) => {
    const w = new Uint32Array(4 * xs.length);
    xs.forEach((v, i) => putV6BigInt(v, w, 4 * i));
    const order = sortV6Order(w, 4, xs.length);
    t.deepEqual(Array.from(order, (i) => xs[i]), [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const words = (vs: bigint[]): Uint32Array => {
      const u = [...new Set(vs)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const out = new Uint32Array(4 * u.length);
      u.forEach((v, i) => putV6BigInt(v, out, 4 * i));
      return out;
    };
    const prev = words(xs);
    const next = words(ys);
    const d = diffV6(prev, next);
    const ref = diffSingles(Array.from({ length: prev.length / 4 }, (_, i) => v6BigInt(prev, 4 * i)), Array.from({ length: next.length / 4 }, (_, i) => v6BigInt(next, 4 * i)));
    const big = (u: Uint32Array): bigint[] => Array.from({ length: u.length / 4 }, (_, i) => v6BigInt(u, 4 * i));
    t.deepEqual({ add: big(d.add), del: big(d.del) }, ref);
  }));
  const w = new Uint32Array(8);
  putV6BigInt(2n, w, 0);
  putV6BigInt(1n, w, 4);
  t.throws(() => diffV6(w, new Uint32Array(4)), { instanceOf: RangeError });
  t.is(cmpV6(w, 0, w, 4), 1);
});
