// The walk of a download's changed lines while it arrives (bodyDelta.ts BodyWalk): fed the body
// in pieces as a socket gives it (one byte, a kilobyte, 64 KiB, sizes at random), it must find
// what the walk of the whole body finds. Real pairs of versions (test/fixtures/feeds: ipsum's
// hourly versions, as published and in address order; DROP then ET block), made-up sorted and
// unsorted lists with scattered, clustered and head/tail changes; and hostile bodies (lines far
// longer than the walk's reach, a byte-order mark arriving, a body longer or shorter than
// declared), where the walk may part elsewhere but every entry stays accounted for.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { bodyDelta, BodyWalk, type BodyDelta } from '../../../firmware/src/blocklist/bodyDelta.js';
import { ipv4Text } from '../../../firmware/src/net/ipText.js';

const FEEDS = new URL('../../fixtures/feeds/', import.meta.url);
const file = (p: string): Buffer => readFileSync(new URL(p, FEEDS));

/** A small seeded generator (a linear congruential one, in [0, 1)): the same cases at every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Bytes of the new body walked before its last piece arrived, in the last call of walked(). */
let walkedEarly = 0;

/** The walk fed `next` in pieces of `sizes()` bytes, as fetch.ts's `received` feeds it. */
function walked(prev: Buffer, next: Buffer, sizes: () => number): BodyDelta | null {
  const walk = new BodyWalk(prev, next.length);
  for (let n = 0; n < next.length;) {
    walkedEarly = walk.walkedBytes;
    n = Math.min(next.length, n + Math.max(1, sizes()));
    walk.advance(next.subarray(0, n));
  }
  return walk.finish(next);
}

function chunkings(size: number): Array<[string, () => number]> {
  const r = rng(size);
  return [
    ...(size <= 80_000 ? [['one byte at a time', () => 1] as [string, () => number]] : []),
    ['1 KiB pieces', () => 1024],
    ['64 KiB pieces', () => 65536],
    ['pieces of 1 B–100 KiB at random', () => 1 + Math.floor(r() * 100_000)],
  ];
}

/** A made-up list of `n` addresses (seeded), sorted or not, and a new version of it: `every`th
 *  line replaced, the first `head` lines dropped, `tail` lines added at the end, and a cluster
 *  of `cluster` lines replaced together in the middle. */
function versions(n: number, seed: number, o: { sorted: boolean; every: number; head: number; tail: number; cluster: number }): [Buffer, Buffer] {
  const r = rng(seed);
  const a = Array.from({ length: n }, () => 0x01000000 + Math.floor(r() * 0xd0000000));
  if (o.sorted) a.sort((x, y) => x - y);
  const b = a.slice(o.head).map((v, i) => (o.every && i % o.every === o.every - 1 ? v + 1 : v));
  const mid = b.length >> 1;
  for (let k = 0; k < o.cluster; k++) b[mid + k] = 0xc6336400 + k; // 198.51.100.x
  for (let k = 0; k < o.tail; k++) b.push(0xcb007100 + k); // 203.0.113.x
  const text = (xs: number[]): Buffer => Buffer.from(`# made-up list\n${xs.map(ipv4Text).join('\n')}\n`);
  return [text(a), text(b)];
}

/** The lines of a body (a last line without a line feed counted as one). */
function lines(b: Buffer): string[] {
  const s = b.toString('latin1');
  const out = s.split('\n');
  if (out.at(-1) === '') out.pop();
  return out;
}

/** lines(prev) − lines(dropped) + lines(fresh) = lines(next), as multisets. */
function accounted(prev: Buffer, next: Buffer, d: BodyDelta): boolean {
  const count = new Map<string, number>();
  const add = (b: Buffer, k: number): void => {
    for (const l of lines(b)) count.set(l, (count.get(l) ?? 0) + k);
  };
  add(prev, 1);
  add(d.dropped, -1);
  add(d.fresh, 1);
  add(next, -1);
  return [...count.values()].every((v) => v === 0);
}

const ipsum = ['a7c7f91b', 'b36fa618', '57c879a4', '74a64dd1'].map((c) => file(`versions/ipsum-level1.${c}.txt`));
const inAddressOrder = (body: Buffer): Buffer => {
  const key = (l: string): number => l.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  return Buffer.from(`# in address order\n${lines(body).filter((l) => /^\d/.test(l)).sort((x, y) => key(x) - key(y)).join('\n')}\n`, 'latin1');
};

const PAIRS: Array<[string, Buffer, Buffer]> = [
  ...ipsum.slice(1).map((b, i): [string, Buffer, Buffer] => [`ipsum hour ${i + 1} → ${i + 2}, as published`, ipsum[i] ?? b, b]),
  ...ipsum.slice(1).map((b, i): [string, Buffer, Buffer] => [`ipsum hour ${i + 1} → ${i + 2}, in address order`, inAddressOrder(ipsum[i] ?? b), inAddressOrder(b)]),
  ['DROP → ET block (a near-duplicate)', file('real/spamhaus_drop.132c795d.netset'), file('real/et_block.662592c2.netset')],
  ['DShield → feodo (two other lists: read whole)', file('real/dshield.ecdc6e60.netset'), file('real/feodo.bf2e5be9.ipset')],
  ['made-up 30k unsorted, 1% scattered', ...versions(30_000, 1, { sorted: false, every: 100, head: 0, tail: 0, cluster: 0 })],
  ['made-up 30k sorted, 0.5% scattered, head and tail', ...versions(30_000, 2, { sorted: true, every: 200, head: 150, tail: 150, cluster: 0 })],
  ['made-up 30k sorted, 40 neighbours replaced together', ...versions(30_000, 3, { sorted: true, every: 0, head: 0, tail: 0, cluster: 40 })],
  ['made-up 100k unsorted, head dropped and tail added', ...versions(100_000, 4, { sorted: false, every: 0, head: 500, tail: 500, cluster: 0 })],
  ['made-up 30k sorted, 30% replaced (read whole)', ...versions(30_000, 5, { sorted: true, every: 3, head: 0, tail: 0, cluster: 0 })],
];

for (const [name, prev, next] of PAIRS) {
  test(`${name}: walked as it arrives, the same lines as walked whole`, (t) => {
    const whole = bodyDelta(prev, next);
    if (whole) t.true(accounted(prev, next, whole));
    for (const [how, sizes] of chunkings(next.length)) {
      t.deepEqual(walked(prev, next, sizes), whole, how);
      // the walk went along while the body arrived (all of it but its last ~1/64 and a piece),
      // unless it gave up on the way
      if (whole && how !== '64 KiB pieces') t.true(walkedEarly >= next.length - 150_000, `${how}: walked ${walkedEarly} of ${next.length} before the end`);
    }
  });
}

test('the real pairs are read in part where the walk of the whole body reads them in part', (t) => {
  // a guard on this file's cases: they must go through the walk's steps, not all give up
  const inPart = PAIRS.filter(([, prev, next]) => bodyDelta(prev, next) !== null).map(([name]) => name);
  t.true(inPart.length >= 9, inPart.join('; '));
  t.false(inPart.some((n) => n.includes('read whole')));
});

test('lines far longer than the walk stays behind the end: every line still accounted for, cuts at line starts', (t) => {
  const r = rng(9);
  const long = (k: number): string => `# ${'x'.repeat(k)}`;
  const base: string[] = [];
  for (let i = 0; i < 3000; i++) base.push(i % 500 === 7 ? long(20_000 + Math.floor(r() * 60_000)) : ipv4Text(0x0a000000 + i * 7));
  const prev = Buffer.from(`${base.join('\n')}\n`);
  // every 97th line replaced, and a 30 KB line put in place of another: longer than the walk's reach
  const changed = base.map((l, i) => (i % 97 === 0 ? ipv4Text(0xc0000200 + (i & 255)) : i === 1013 ? long(30_000) : l));
  let inPart = 0;
  for (const next of [Buffer.from(`${changed.join('\n')}\n`), Buffer.from(changed.join('\n'))]) { // with and without the last line feed
    for (const [how, sizes] of chunkings(next.length)) {
      const d = walked(prev, next, sizes);
      if (!d) continue; // read whole: always correct
      inPart++;
      t.true(accounted(prev, next, d), how);
      t.true(d.fresh.length === 0 || d.fresh[d.fresh.length - 1] === 10, `${how}: whole lines`);
    }
  }
  t.true(inPart > 0, 'the long lines were walked, not only read whole');
});

test('a byte-order mark, or a body of another length than declared, is read whole', (t) => {
  const [prev, next] = versions(20_000, 6, { sorted: true, every: 200, head: 0, tail: 0, cluster: 0 });
  const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), next]);
  t.is(walked(prev, bom, () => 4096), null);
  const walk = new BodyWalk(prev, next.length + 10);
  walk.advance(next.subarray(0, 100_000));
  t.is(walk.finish(next), null, 'shorter than declared');
  const short = new BodyWalk(prev, next.length - 10);
  short.advance(next.subarray(0, 100_000));
  t.is(short.finish(next), null, 'longer than declared');
});
