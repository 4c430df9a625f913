// Self-protection: whatever a feed says, the box must never block the office itself or
// the internet as a whole. Runs on parsed entries before merging.
//
// Rules (documented in README.md, "Self-protection"):
//  - An entry larger than the family's limit (default IPv4 /8, IPv6 /24) is rejected whole
//    (`too_broad`); so is every `/0`.
//  - Special-purpose ranges that are never a legitimate internet peer (loopback, link-local,
//    multicast, unspecified, broadcast, RFC 1918, CGNAT, ULA and the other IANA
//    non-routable blocks) and the runtime protected list (box's own addresses, LAN
//    prefixes, default gateway, upstream collector, provider management, allowlist, the
//    box's DNS resolvers, NTP servers and feed download servers) are never loaded. Documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
//    2001:db8::/32) stay loadable on purpose: the lab uses them as "the internet".
//  - An entry wholly inside protected space is rejected, counted under the reason of the
//    protected block it hits. An entry that only overlaps is CARVED: the protected part is
//    cut out and the rest stays blocked (counted under `carved` by reason). Rejecting it
//    whole would let one bad line in a feed unblock a whole hostile /12.
import { BITS, formatRange, parseEntry, rangeSize, type Family, type IpRange } from '../net/ip.js';
import { v6Segments, type V6Segments } from './guardV6.js';

export type SpecialReason =
  | 'unspecified' | 'loopback' | 'link_local' | 'multicast' | 'broadcast'
  | 'private' | 'cgnat' | 'ula' | 'reserved';
export type RuntimeReason =
  | 'own_address' | 'lan' | 'gateway' | 'upstream' | 'management' | 'allowlist'
  | 'resolver' | 'feed_host' | 'ntp';
export type GuardReason = 'too_broad' | SpecialReason | RuntimeReason;

export interface ProtectedRange { range: IpRange; reason: SpecialReason | RuntimeReason }

/** IANA special-purpose blocks that are never a real internet peer (documentation excluded). */
export const SPECIAL_RANGES: ReadonlyArray<readonly [string, SpecialReason]> = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'cgnat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link_local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'], // benchmarking
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['255.255.255.255/32', 'broadcast'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::ffff:0:0/96', 'reserved'], // IPv4-mapped (range parsed from bounds below)
  ['64:ff9b:1::/48', 'reserved'], // local-use NAT64
  ['100::/64', 'reserved'], // discard-only
  ['2001:2::/48', 'reserved'], // benchmarking
  ['fc00::/7', 'ula'],
  ['fe80::/10', 'link_local'],
  ['fec0::/10', 'reserved'], // deprecated site-local
  ['ff00::/8', 'multicast'],
];

export interface GuardOptions {
  /** Broadest prefix length a feed may load per family (default { 4: 8, 6: 24 }). */
  minPrefix?: Partial<Record<Family, number>>;
  /** Runtime protected ranges: own addresses, LAN, gateway, upstream, management, allowlist, resolvers, NTP, feed hosts. */
  protected?: ProtectedRange[];
  /** How many rejected/carved entries to keep as text samples (default 5). */
  maxSamples?: number;
}

export interface GuardResult {
  accepted: IpRange[];
  rejected: Partial<Record<GuardReason, number>>;
  rejectedTotal: number;
  /** Entries kept with a protected part cut out, by the reason of the part. */
  carved: Partial<Record<GuardReason, number>>;
  carvedTotal: number;
  samples: Array<{ entry: string; reason: GuardReason; carved: boolean }>;
}

export interface Segment { first: bigint; last: bigint; reason: SpecialReason | RuntimeReason }

/** Guard prepared once per configuration; reuse it for every feed. */
export interface Guard {
  maxSize: Record<Family, bigint>;
  segments: Record<Family, Segment[]>;
  maxSamples: number;
  /** IPv4 segment bounds as numbers: the fast path for single addresses (most of a big feed). */
  v4First?: Float64Array;
  v4Last?: Float64Array;
  /** maxSize[4] as a number (guardV4's test, no bigint per entry). */
  v4MaxSize?: number;
  /** IPv6 segments and size limit as words (guardV6.ts: IPv6 entries on numbers). */
  v6?: V6Segments;
}

function specialRange(text: string): IpRange {
  // ::ffff:0:0/96 is refused by the strict parser (mapped IPv4), so spell its bounds out
  if (text === '::ffff:0:0/96') return { family: 6, first: 0xffffn << 32n, last: (0xffffn << 32n) | 0xffffffffn };
  return parseEntry(text);
}

/** Paint ranges onto a disjoint sorted list; narrower ranges win over broader ones. */
function flatten(ranges: ProtectedRange[]): Segment[] {
  const bySizeDesc = [...ranges].sort((a, b) => {
    const d = rangeSize(b.range) - rangeSize(a.range);
    return d > 0n ? 1 : d < 0n ? -1 : 0;
  });
  let segs: Segment[] = [];
  for (const { range, reason } of bySizeDesc) {
    const next: Segment[] = [];
    for (const s of segs) {
      if (s.last < range.first || s.first > range.last) { next.push(s); continue; }
      if (s.first < range.first) next.push({ ...s, last: range.first - 1n });
      if (s.last > range.last) next.push({ ...s, first: range.last + 1n });
    }
    next.push({ first: range.first, last: range.last, reason });
    segs = next.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  }
  return segs;
}

/** Build a guard from options; throws RangeError on an out-of-range prefix limit. */
export function buildGuard(opts: GuardOptions = {}): Guard {
  const minPrefix: Record<Family, number> = { 4: opts.minPrefix?.[4] ?? 8, 6: opts.minPrefix?.[6] ?? 24 };
  for (const f of [4, 6] as const) {
    const p = minPrefix[f];
    if (!Number.isInteger(p) || p < 1 || p > BITS[f]) throw new RangeError(`minPrefix for IPv${f} must be 1..${BITS[f]}`);
  }
  const all: ProtectedRange[] = [
    ...SPECIAL_RANGES.map(([text, reason]) => ({ range: specialRange(text), reason })),
    ...(opts.protected ?? []),
  ];
  const v4 = flatten(all.filter((p) => p.range.family === 4));
  const v6 = flatten(all.filter((p) => p.range.family === 6));
  return {
    maxSize: { 4: 1n << BigInt(32 - minPrefix[4]), 6: 1n << BigInt(128 - minPrefix[6]) },
    segments: { 4: v4, 6: v6 },
    maxSamples: opts.maxSamples ?? 5,
    v4First: Float64Array.from(v4, (x) => Number(x.first)),
    v4Last: Float64Array.from(v4, (x) => Number(x.last)),
    v4MaxSize: 2 ** (32 - minPrefix[4]),
    v6: v6Segments(v6, minPrefix[6]),
  };
}

/** Parse configured protected entries (address, prefix with host bits, or a-b); throws IpParseError. */
export function protectedRanges(reason: RuntimeReason, texts: readonly string[]): ProtectedRange[] {
  return texts.map((text) => ({ range: parseEntry(text, { allowHostBits: true }), reason }));
}

/** Index of the first segment whose last address is ≥ value. */
function firstSegmentEndingAtOrAfter(segs: Segment[], value: bigint): number {
  let lo = 0;
  let hi = segs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = segs[mid];
    if (s !== undefined && s.last < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Empty result to accumulate into with guardEntry. */
export function emptyGuardResult(): GuardResult {
  return { accepted: [], rejected: {}, rejectedTotal: 0, carved: {}, carvedTotal: 0, samples: [] };
}

/** Apply the guard to parsed entries; pure, never throws. */
export function guardEntries(entries: readonly IpRange[], guard: Guard): GuardResult {
  const res = emptyGuardResult();
  for (const e of entries) guardEntry(e, guard, res, (kept) => res.accepted.push(kept));
  return res;
}

/** Whether the IPv4 span first..last (numbers) touches no protected segment: a binary search
 *  on the guard's numeric segment bounds. False when the guard has none (take the slow path). */
function clearOfV4Segments(guard: Guard, first: number, last: number): boolean {
  const f = guard.v4First;
  const l = guard.v4Last;
  if (!f || !l) return false;
  let lo = 0;
  let hi = l.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((l[mid] ?? Infinity) < first) lo = mid + 1;
    else hi = mid;
  }
  const fl = f[lo];
  return fl === undefined || fl > last;
}

/** Guard one entry: counts go into `res`, surviving ranges (0..n, carved) to `keep`. */
export function guardEntry(e: IpRange, guard: Guard, res: GuardResult, keep: (r: IpRange) => void): void {
  // fast path: an IPv4 single outside every protected segment (numbers, no bigint arithmetic)
  if (e.family === 4 && e.first === e.last && clearOfV4Segments(guard, Number(e.first), Number(e.last))) {
    keep(e);
    return;
  }
  const sample = (x: IpRange, reason: GuardReason, carved: boolean): void => {
    if (res.samples.length < guard.maxSamples) res.samples.push({ entry: formatRange(x), reason, carved });
  };
  if (e.last - e.first + 1n > guard.maxSize[e.family]) {
    res.rejected.too_broad = (res.rejected.too_broad ?? 0) + 1;
    res.rejectedTotal++;
    sample(e, 'too_broad', false);
    return;
  }
  const segs = guard.segments[e.family];
  let i = firstSegmentEndingAtOrAfter(segs, e.first);
  const first = segs[i];
  if (first === undefined || first.first > e.last) {
    keep(e);
    return;
  }
  // walk the protected segments overlapping e, keeping the gaps between them
  const kept: IpRange[] = [];
  const reasons = new Set<GuardReason>();
  let cur = e.first;
  for (let s = segs[i]; s !== undefined && s.first <= e.last; s = segs[++i]) {
    if (s.first > cur) kept.push({ family: e.family, first: cur, last: s.first - 1n });
    reasons.add(s.reason);
    cur = s.last + 1n;
    if (s.last >= e.last) break;
  }
  if (cur <= e.last) kept.push({ family: e.family, first: cur, last: e.last });
  if (kept.length === 0) {
    const reason = first.reason; // wholly protected: blame the block at its start
    res.rejected[reason] = (res.rejected[reason] ?? 0) + 1;
    res.rejectedTotal++;
    sample(e, reason, false);
    return;
  }
  for (const r of reasons) res.carved[r] = (res.carved[r] ?? 0) + 1;
  res.carvedTotal++;
  sample(e, [...reasons][0] ?? first.reason, true); // reasons holds first's reason at least
  for (const k of kept) keep(k);
}

/** Guard one IPv4 entry held as numbers: guardV4Batch of that one entry (an entry clear of
 *  every protected segment and not too broad goes to `keep` without a bigint or an object;
 *  anything else takes guardEntry: same counts, samples and carving). */
export function guardV4(first: number, last: number, guard: Guard, res: GuardResult, keep: (first: number, last: number) => void): void {
  if (guardV4Batch(Float64Array.of(first), Float64Array.of(last), 1, guard, res, keep) === 1) keep(first, last);
}

/** guardV4 over a batch (parse.ts onV4Batch), in place: the entries clear of every protected
 *  segment and not too broad are moved to the front of `firsts`/`lasts`, in order, and their
 *  count returned; any other entry takes guardEntry (same counts, samples and carving) and
 *  what survives of it goes to `keep`. A top-level loop with no callback on its common path,
 *  so V8 keeps its optimised code from one refresh to the next. */
export function guardV4Batch(firsts: Float64Array, lasts: Float64Array, n: number, guard: Guard, res: GuardResult, keep: (first: number, last: number) => void): number {
  const maxSize = guard.v4MaxSize ?? Number(guard.maxSize[4]);
  let m = 0;
  for (let k = 0; k < n; k++) {
    const first = firsts[k] ?? 0;
    const last = lasts[k] ?? 0;
    if (last - first + 1 <= maxSize && clearOfV4Segments(guard, first, last)) {
      firsts[m] = first;
      lasts[m] = last;
      m++;
    } else {
      guardEntry({ family: 4, first: BigInt(first), last: BigInt(last) }, guard, res, (r) => keep(Number(r.first), Number(r.last)));
    }
  }
  return m;
}
