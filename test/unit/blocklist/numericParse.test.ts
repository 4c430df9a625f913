// The numeric path of a feed (issue 14: parsing and planning on numbers) must read exactly
// what the full parser reads: same entries, same counts, same rejections.
import test from 'ava';
import fc from 'fast-check';
import { scanV4Line, sortU32 } from '../../../firmware/src/net/cidrNumbers.js';
import { IpParseError, parseCidr, type IpRange } from '../../../firmware/src/net/ip.js';
import { parseFeed, V4_BATCH } from '../../../firmware/src/blocklist/parse.js';
import { evaluateFeed } from '../../../firmware/src/blocklist/evaluate.js';
import { buildGuard, emptyGuardResult, guardEntry, guardV4 } from '../../../firmware/src/blocklist/guard.js';
import { packRanges, RangePacker } from '../../../firmware/src/blocklist/packed.js';

/** Text that is often, but not always, an IPv4 address or prefix. */
const arbToken = fc.oneof(
  fc.tuple(fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 3, maxLength: 5 }), fc.option(fc.integer({ min: 0, max: 40 }))).map(([o, len]) => `${o.join('.')}${len === null ? '' : `/${len}`}`),
  fc.stringMatching(/^[0-9./ ]{0,20}$/),
  fc.constantFrom('01.2.3.4', '1.2.3.4/08', '1.2.3.4/', '1.2.3.4/24', '1.2.3.0/24', '0.0.0.0/0', '255.255.255.255', '1..2.3', '1.2.3.4 ', '1.2.3.4#x', ''),
);

test('scanV4Line accepts only what parseCidr accepts, with the same result, and finds the line end', (t) => {
  fc.assert(fc.property(arbToken, fc.boolean(), fc.constantFrom('', '\n', '\r\n', '\nxx', '\r\nyy', '\r', '\rzz'), (text, allowHostBits, tail) => {
    const out = new Float64Array(2);
    const bytes = Buffer.from(`xx${text}${tail}`);
    const end = scanV4Line(bytes, 2, bytes.length, allowHostBits, out);
    let slow: IpRange | null = null;
    try {
      const c = parseCidr(text, { allowHostBits });
      slow = c.family === 4 ? c : null;
    } catch (e) {
      if (!(e instanceof IpParseError)) throw e;
    }
    if (end < 0) return true; // the full parser decides
    t.not(tail, '\rzz', 'a CR is a line end only before a line feed or at the end of the body');
    t.truthy(slow, text);
    t.deepEqual([out[0], out[1]], [Number(slow!.first), Number(slow!.last)], text);
    const lf = bytes.indexOf(10, 2);
    t.is(end, lf === -1 ? bytes.length : lf);
    return true;
  }));
});

test('a feed read with onV4 gives the same entries, counts and samples as without', (t) => {
  fc.assert(fc.property(fc.array(fc.oneof(arbToken, fc.constantFrom('# comment', '2001:db8::1', '1.2.3.4 ; x', '1.2.3.0-1.2.3.9')), { maxLength: 60 }), fc.constantFrom<'plain' | 'range' | 'spamhaus-drop'>('plain', 'range', 'spamhaus-drop'), fc.boolean(), (lines, format, crlf) => {
    const body = lines.join(crlf ? '\r\n' : '\n');
    const slow: string[] = [];
    const a = parseFeed(body, { format, onEntry: (e) => slow.push(`${e.family} ${e.first}-${e.last}`) });
    const fast: string[] = [];
    const b = parseFeed(body, { format, onEntry: (e) => fast.push(`${e.family} ${e.first}-${e.last}`), onV4: (f, l) => fast.push(`4 ${f}-${l}`) });
    t.deepEqual(fast, slow);
    t.deepEqual({ ...b, format: a.format }, a);
  }));
});

test('guardV4 keeps, rejects and carves as guardEntry does', (t) => {
  const guard = buildGuard({ protected: [{ range: parseCidr('198.51.100.0/28'), reason: 'own_address' }] });
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 24 }), (a, hostBits) => {
    const size = 2 ** hostBits;
    const first = a - (a % size);
    const r: IpRange = { family: 4, first: BigInt(first), last: BigInt(first + size - 1) };
    const slowRes = emptyGuardResult();
    const slow: string[] = [];
    guardEntry(r, guard, slowRes, (k) => slow.push(`${k.first}-${k.last}`));
    const fastRes = emptyGuardResult();
    const fast: string[] = [];
    guardV4(first, first + size - 1, guard, fastRes, (f, l) => fast.push(`${f}-${l}`));
    t.deepEqual(fast, slow);
    t.deepEqual(fastRes, slowRes);
  }));
  // the cases that matter, spelled out: inside protected space, overlapping it, too broad
  for (const [text, kept] of [['198.51.100.3', 0], ['198.51.100.0/24', 1], ['10.0.0.0/8', 0], ['2.0.0.0/7', 0], ['203.0.113.0/24', 1]] as const) {
    const c = parseCidr(text);
    const out: number[] = [];
    guardV4(Number(c.first), Number(c.last), guard, emptyGuardResult(), (f) => out.push(f));
    t.is(out.length > 0 ? 1 : 0, kept, text);
  }
});

test('RangePacker on numbers packs like packRanges', (t) => {
  const arbRange = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 600 }), fc.boolean()).map(([a, n, prefix]): IpRange => {
    if (prefix) { const size = 2 ** (n % 9); const f = a * 256 - ((a * 256) % size); return { family: 4, first: BigInt(f), last: BigInt(f + size - 1) }; }
    return { family: 4, first: BigInt(a * 256), last: BigInt(a * 256 + n) };
  });
  fc.assert(fc.property(fc.array(arbRange, { maxLength: 200 }), (rs) => {
    const p = new RangePacker();
    rs.forEach((r, i) => (i % 2 ? p.add(r) : p.addV4(Number(r.first), Number(r.last))));
    const got = p.finish();
    const want = packRanges(rs);
    t.deepEqual([Array.from(got.v4First), Array.from(got.v4Last)], [Array.from(want.v4First), Array.from(want.v4Last)]);
  }));
});

test('sortU32 sorts like a comparison sort and leaves its input alone', (t) => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 500 }), (xs) => {
    const input = Uint32Array.from(xs);
    const got = sortU32(input);
    t.deepEqual(Array.from(got), [...xs].sort((a, b) => a - b));
    t.deepEqual(Array.from(input), xs);
  }));
  // the engine's sort below 300,000 values, the radix passes from there (over many of their
  // chunks of 4,096), with duplicates
  fc.assert(fc.property(fc.oneof(fc.integer({ min: 4_000, max: 13_000 }), fc.integer({ min: 299_999, max: 310_000 })), fc.integer({ min: 1, max: 0xffffffff }), (n, seed) => {
    let x = seed;
    const xs = Array.from({ length: n }, () => { x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0; return x % 7 === 0 ? 42 : x; });
    t.deepEqual(Array.from(sortU32(Uint32Array.from(xs))), [...xs].sort((a, b) => a - b));
  }), { numRuns: 10 });
  const at = Uint32Array.from({ length: 300_000 }, (_, i) => (i % 5 === 0 ? 7 : Math.imul(i, 2_654_435_761) >>> 0));
  t.deepEqual(Array.from(sortU32(at)), Array.from(at).sort((a, b) => a - b), 'the radix passes from 300,000 values');
});

test('a feed read from its bytes, line by line, reads as the whole body decoded first (invalid UTF-8, BOM, CR, NUL)', (t) => {
  const piece = fc.oneof(
    arbToken.map((s) => Buffer.from(s)),
    fc.constantFrom(...['\n', '\r\n', '\r', '\u0000', '# x', ' ; y', '\ufeff', 'é', '2001:db8::/32', '{"cidr":"1.2.3.0/24"}', '1.2.3.4,5'].map((s) => Buffer.from(s))),
    fc.constantFrom(Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xe2, 0x82]), Buffer.from([0xef, 0xbb, 0xbf])),
  );
  fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), fc.constantFrom<'plain' | 'range' | 'spamhaus-drop' | 'spamhaus-jsonl'>('plain', 'range', 'spamhaus-drop', 'spamhaus-jsonl'), fc.boolean(), (pieces, format, numbers) => {
    const bytes = Buffer.concat(pieces);
    const read = (body: string | Buffer): unknown => {
      const got: string[] = [];
      const r = parseFeed(body, { format, onEntry: (e) => got.push(`${e.family} ${e.first}-${e.last}`), ...(numbers ? { onV4: (f: number, l: number) => got.push(`4 ${f}-${l}`) } : {}) });
      return { got, r };
    };
    t.deepEqual(read(bytes), read(bytes.toString('utf8')));
  }));
});

test('a csv feed read with onV4 (fields found in the bytes) gives the same entries, counts and samples as without', (t) => {
  const field = fc.oneof(arbToken, fc.constantFrom('', ' ', '"1.2.3.4"', '"a""b"', '#x', 'ip', 'IP', '2001:db8::1', '1.2.3.4\t', 'é', '\u0000', '"'));
  const line = fc.tuple(fc.array(field, { minLength: 1, maxLength: 4 }), fc.constantFrom('', ' ', '\t', '# ')).map(([fs, lead]) => [`${lead}${fs[0] ?? ''}`, ...fs.slice(1)]);
  fc.assert(fc.property(
    fc.array(line, { maxLength: 30 }), fc.constantFrom(',', ';', '\t', '|'), fc.constantFrom<number | string>(1, 2, 3, 'ip'), fc.boolean(), fc.boolean(),
    (lines, delimiter, column, header, crlf) => {
      const body = lines.map((fs) => fs.join(delimiter)).join(crlf ? '\r\n' : '\n');
      const csv = { column, delimiter, header };
      const slow: string[] = [];
      const a = parseFeed(body, { format: 'csv', csv, onEntry: (e) => slow.push(`${e.family} ${e.first}-${e.last}`) });
      const fast: string[] = [];
      const b = parseFeed(body, { format: 'csv', csv, onEntry: (e) => fast.push(`${e.family} ${e.first}-${e.last}`), onV4: (f, l) => fast.push(`4 ${f}-${l}`) });
      t.deepEqual(fast, slow);
      t.deepEqual(b, a);
    }));
  // the fast path is taken: a clean line reaches onV4, not onEntry
  let numbers = 0;
  parseFeed('# first,ip\n1,192.0.2.1 , x\n2,"192.0.2.2"\n', { format: 'csv', csv: { column: 'ip' }, onEntry: () => {}, onV4: () => numbers++ });
  t.is(numbers, 1);
});

test('a Spamhaus JSONL feed read with onV4 (records read in the bytes) gives the same entries, counts and samples as without', (t) => {
  const ws = fc.constantFrom('', ' ', '\t', '\r', '  ', '\u000b');
  const key = fc.constantFrom('"cidr"', '"sblid"', '"rir"', '"type"', '"CIDR"', '"ci\\u0064r"', 'cidr', '""');
  const value = fc.oneof(
    arbToken.map((s) => `"${s}"`),
    fc.constantFrom('"SBL1"', '"apnic"', '"metadata"', '1', 'null', 'true', '{}', '[1]', '"a\\"b"', '"é"', '"1.2.3.0\\/24"', '"\u0001"', '"'),
  );
  const member = fc.tuple(ws, key, ws, value, ws).map(([a, k, b, v, c]) => `${a}${k}${b}:${c}${v}`);
  const junk = fc.tuple(fc.array(member, { maxLength: 4 }), ws, fc.constantFrom('', '', ' x', ',', '}')).map(([ms, w, tail]) => `${w}{${ms.join(',')}}${tail}${w}`);
  // mostly well-formed records (so the fast path is met often), some with one odd part
  const jws = fc.constantFrom('', ' ', '\t');
  const plain = fc.tuple(jws, fc.oneof({ arbitrary: arbToken, weight: 3 }, { arbitrary: fc.constantFrom('192.0.2.0/24', '198.51.100.7', '2001:db8::/32'), weight: 2 }), fc.constantFrom('', ',"sblid":"SBL1"', ',"rir":"apnic"', ',"sblid":1', ',"type":"x"', ',"cidr":"192.0.2.1"'), jws, fc.boolean())
    .map(([w, c, more, w2, front]) => (front ? `{${w}"cidr"${w2}:${w}"${c}"${more}}` : `{"rir":"ripe",${w}"cidr":${w2}"${c}"${more}${w}}`));
  const record = fc.oneof({ arbitrary: plain, weight: 3 }, { arbitrary: junk, weight: 1 });
  const line = fc.oneof(record, fc.constantFrom('', '{"type":"metadata","records":3}', '{"cidr":"192.0.2.0/24","sblid":"SBL1"}', 'x'));
  fc.assert(fc.property(fc.array(line, { maxLength: 25 }), fc.boolean(), fc.boolean(), (lines, crlf, allowHostBits) => {
    const body = lines.join(crlf ? '\r\n' : '\n');
    const slow: string[] = [];
    const a = parseFeed(body, { format: 'spamhaus-jsonl', allowHostBits, onEntry: (e) => slow.push(`${e.family} ${e.first}-${e.last}`) });
    const fast: string[] = [];
    const b = parseFeed(body, { format: 'spamhaus-jsonl', allowHostBits, onEntry: (e) => fast.push(`${e.family} ${e.first}-${e.last}`), onV4: (f, l) => fast.push(`4 ${f}-${l}`) });
    t.deepEqual(fast, slow);
    t.deepEqual(b, a);
  }), { numRuns: 300 });
  // the fast path is taken for a plain record, not for the metadata line or an escaped one
  let numbers = 0;
  let objects = 0;
  const r = parseFeed('{"cidr":"192.0.2.0/24","sblid":"SBL1","rir":"arin"}\n{"cidr":"198.51.100.0\\/24"}\n{"type":"metadata","records":2}\n', {
    format: 'spamhaus-jsonl', onEntry: () => objects++, onV4: () => numbers++,
  });
  t.deepEqual([numbers, objects, r.declaredRecords], [1, 1, 2]);
});

test('a feed longer than one onV4Batch batch gives the same entries, in the same order, counts and samples as without (plain, csv, JSONL)', (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 0xffffffff }), fc.constantFrom<'plain' | 'csv' | 'spamhaus-jsonl'>('plain', 'csv', 'spamhaus-jsonl'), fc.double({ min: 0, max: 0.02, noNaN: true }),
    (seed, format, oddShare) => {
      // ~2.5 batches of lines, with odd ones (comments, IPv6, bad lines, carved prefixes) here and there
      let x = seed;
      const next = (): number => { x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0; return x; };
      const lines: string[] = [];
      for (let i = 0; i < V4_BATCH * 2.5; i++) {
        const v = next();
        const odd = (next() % 10_000) / 10_000 < oddShare;
        const text = odd
          ? ['# c', '2001:db8::1', '1.2.3', '10.0.0.0/7', '192.168.0.0/15', '01.2.3.4', '198.51.100.0/24'][next() % 7]!
          : next() % 20 === 0 ? `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.0/24` : `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
        lines.push(format === 'csv' ? `${i},${text}` : format === 'spamhaus-jsonl' ? `{"cidr":"${text}"}` : text);
      }
      const body = lines.join('\n');
      const opts = { format, ...(format === 'csv' ? { csv: { column: 2 } } : {}) } as const;
      const slow: string[] = [];
      const a = parseFeed(body, { ...opts, onEntry: (e) => slow.push(`${e.family} ${e.first}-${e.last}`) });
      const fast: string[] = [];
      let batches = 0;
      const b = parseFeed(body, {
        ...opts, onEntry: (e) => fast.push(`${e.family} ${e.first}-${e.last}`),
        onV4Batch: (fs, ls, n) => { batches++; for (let k = 0; k < n; k++) fast.push(`4 ${fs[k]}-${ls[k]}`); },
      });
      t.deepEqual(fast, slow);
      t.deepEqual(b, a);
      t.true(batches >= 3);
      // guarded and packed in batches, as a refresh does: the same ranges as the object path
      const guard = buildGuard({ protected: [{ range: parseCidr('198.51.100.0/28'), reason: 'own_address' }] });
      const rules = { id: 'f', format, ...(format === 'csv' ? { csv: { column: 2 } } : {}), allowHostBits: false, minEntries: 1, maxShrinkRatio: 0, maxRejectRatio: 1 };
      const ref = evaluateFeed(rules, { v4: { text: body } }, guard, null);
      const p = new RangePacker();
      const got = evaluateFeed(rules, { v4: { text: Buffer.from(body) } }, guard, null, (r) => p.add(r), p, p);
      t.deepEqual({ ...got.stats, usable: 0 }, { ...ref.stats, usable: 0 });
      t.is(got.stats.usable, ref.entries.length);
      const packed = p.finish();
      const want = packRanges(ref.entries);
      t.deepEqual([[...packed.v4First], [...packed.v4Last]], [[...want.v4First], [...want.v4Last]]);
    }), { numRuns: 12 });
});
