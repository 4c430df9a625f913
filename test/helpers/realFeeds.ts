// Real public IPv4 blocklists (test/fixtures/feeds/real, sources in its SOURCES.md), read two
// ways: as a refresh reads them (on numbers: parser, guard, packer, cut into the set layout)
// and by the bigint reference (one IpRange per line, guarded, merged, cut into prefixes).
import { readFileSync } from 'node:fs';
import { formatAddress, parseEntry, rangeToCidrs, type IpRange } from '../../firmware/src/net/ip.js';
import { mergeRanges } from '../../firmware/src/net/rangeMerge.js';
import { evaluateFeed, type FeedOutcome } from '../../firmware/src/blocklist/evaluate.js';
import { buildGuard, guardEntries } from '../../firmware/src/blocklist/guard.js';
import { RangePacker, splitPacked } from '../../firmware/src/blocklist/packed.js';
import type { SetContent } from '../../firmware/src/blocklist/prefixSets.js';

const DIR = new URL('../fixtures/feeds/real/', import.meta.url);

export interface RealFeed { feed: string; file: string; path: string; commit: string }

/** The corpus, as its manifest lists it. */
export const REAL_FEEDS: RealFeed[] = JSON.parse(readFileSync(new URL('manifest.json', DIR), 'utf8')) as RealFeed[];

/** One feed's file, by feed name. */
export function realFeed(name: string): { meta: RealFeed; text: string } {
  const meta = REAL_FEEDS.find((f) => f.feed === name);
  if (!meta) throw new Error(`no real feed ${name}`);
  return { meta, text: readFileSync(new URL(meta.file, DIR), 'utf8') };
}

/** The data lines of a FireHOL list (no `#` header, no blank line), trimmed. */
export function dataLines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

/** A prefix as text, `a.b.c.d/len` (a single address as /32). */
export const cidrText = (first: bigint, len: number): string => `${formatAddress(4, first)}/${len}`;

/** Merged ranges cut into prefixes (the iprange decomposition), as text, sorted. */
export function prefixesOf(ranges: readonly IpRange[]): string[] {
  return mergeRanges([ranges])[4].flatMap(rangeToCidrs).map((c) => cidrText(c.first, c.prefixLen)).sort();
}

/** The feed as a refresh reads it (format plain, the default guard), cut into the set layout. */
export function refreshRead(text: string): { outcome: FeedOutcome; content: SetContent } {
  const p = new RangePacker();
  const outcome = evaluateFeed({ id: 'real', format: 'plain', allowHostBits: false, minEntries: 1, maxShrinkRatio: 0, maxRejectRatio: 0.1 },
    { v4: { text } }, buildGuard(), null, (r) => p.add(r), p, p);
  return { outcome, content: splitPacked(p.finish()) };
}

/** Every IPv4 prefix a set content holds (singles, masked sets, interval set), as text, sorted. */
export function contentPrefixes(c: SetContent): string[] {
  const out = Array.from(c.v4Singles, (v) => cidrText(BigInt(v), 32));
  for (const m of c.v4Masked) for (const v of m.nets) out.push(cidrText(BigInt(v), m.len));
  for (const r of c.v4Nets) for (const x of rangeToCidrs(r)) out.push(cidrText(x.first, x.prefixLen));
  return out.sort();
}

/** The bigint reference: each line parsed alone, guarded alone, then merged and cut. `untouched`:
 *  the lines the guard kept whole, as prefixes text. */
export function referenceRead(text: string): { prefixes: string[]; untouched: Set<string>; touched: IpRange[] } {
  const guard = buildGuard();
  const kept: IpRange[] = [];
  const untouched = new Set<string>();
  const touched: IpRange[] = [];
  for (const line of dataLines(text)) {
    const e = parseEntry(line);
    const g = guardEntries([e], guard);
    kept.push(...g.accepted);
    const whole = g.accepted.length === 1 && g.accepted[0]!.first === e.first && g.accepted[0]!.last === e.last;
    if (whole) for (const c of rangeToCidrs(e)) untouched.add(cidrText(c.first, c.prefixLen));
    else touched.push(e);
  }
  return { prefixes: prefixesOf(kept), untouched, touched };
}
