// One feed refresh: download every URL of the feed (conditional, size- and time-limited),
// then parse, guard and judge through the pure core, and pack the accepted entries.
// The caller decides what to do with the outcome (apply, or keep last-good on a fault).
import type { FeedsConfig } from '../config/feeds.js';
import type { ResolvedFeed } from '../config/feedCatalog.js';
import { evaluateFeed, type FeedBody, type FeedStats } from './evaluate.js';
import { ArrivingWalk } from './arrivingWalk.js';
import { bodyDigest, FeedFetchError, fetchFeed, type FeedFetchRequest, type FeedFetchResult } from './fetch.js';
import type { Guard } from './guard.js';
import { clean, evaluateChanged, patchLast, reusableFeed, reuseKey, type ParseReuse } from './lastParse.js';
import { RangePacker, type PackedRanges } from './packed.js';
import type { Validators } from './repos.js';
import type { V4Delta, V4Ranges } from './snapshotDelta.js';
import { errorMessage } from '../errors/errorText.js';

export type FetchFn = (req: FeedFetchRequest) => Promise<FeedFetchResult>;

/** `peers`: the addresses the download resolved or connected to (protected from every list). */
export type RefreshOutcome = { peers: string[] } & (
  | { kind: 'unchanged' }
  | { kind: 'fault'; reason: string; detail: Record<string, unknown>; stats?: FeedStats | undefined }
  | { kind: 'ok'; ranges: PackedRanges; usable: number; stats: FeedStats; validators: Validators; digest: () => void; timings: RefreshTimings; v4Delta?: KnownDelta | undefined; readWhole?: string | undefined });
// `digest`: fills in `validators`' sha256 (the bodies' digests, taken once the outcome is to be
// recorded: refreshApply.ts takes them while nft works, off the update's path). `readWhole`: why
// a download that could be read in part was read whole (a patch that threw: a bug of ours, which
// the feed survives but the log must show)

/** The IPv4 ranges' change from `base` (the feed's ranges after its last read) to the new
 *  ranges, known from patching them (packedPatch.ts): V4Diffs.remember takes it. */
export interface KnownDelta { base: V4Ranges; delta: V4Delta }

/** Where the time of one refresh went (ms); for one read from its changed lines, how many bytes
 *  of the download their walk had passed when it ended (BodyWalk: walked as it arrived). */
export interface RefreshTimings { fetchMs: number; evaluateMs: number; packMs: number; walkedEarlyBytes?: number }

export interface RefreshInput {
  feed: ResolvedFeed;
  limits: Pick<FeedsConfig, 'fetchTimeoutSeconds' | 'maxBytes'>;
  /** The guard, or one built once the download knows which servers it came from. */
  guard: Guard | ((fetchedFrom: readonly string[]) => Guard);
  /** Validators of the last accepted download (ignored when `force`). */
  validators: Validators;
  /** Usable entries of last-good (null: nothing loaded yet). */
  lastGoodUsable: number | null;
  fetch?: FetchFn | undefined;
  /** This feed's last download and its entries, kept by the caller between refreshes: a new
   *  download is then read only where its lines changed (lastParse.ts). Filled in here. */
  reuse?: ParseReuse | undefined;
  /** Called with a download's size once it is known (its declared length as its body starts
   *  to arrive, else its end), before it is read: a large one may be loaded whole. */
  sized?: ((bytes: number) => void) | undefined;
  /** Work started once the download is on its way and awaited before its entries are judged
   *  (the box's resolvers re-read: the guard must know them). Its failure is the refresh's. */
  beside?: (() => Promise<void>) | undefined;
}

/** `work` as a refresh's `beside`: started at the first call, once the download's request is out
 *  (after this turn of the event loop: the request is on its way), the same promise at every call. */
export function besideDownload(work: () => Promise<void>): () => Promise<void> {
  let started: Promise<void> | undefined;
  return () => {
    started ??= new Promise<void>((r) => setImmediate(r)).then(work);
    started.catch(() => undefined); // the caller awaits it, maybe only after the download
    return started;
  };
}

/** Downloads and evaluates one feed; never throws for feed or network problems (they are faults). */
export async function refreshFeed(i: RefreshInput): Promise<RefreshOutcome> {
  const fetch = i.fetch ?? fetchFeed;
  const urls = (['v4', 'v6'] as const).flatMap((k) => (i.feed.urls[k] ? [[k, i.feed.urls[k]] as const] : []));
  const peers = new Set<string>();
  let told = 0; // bytes the servers declared so far
  const sized = (n: number): void => {
    told += n;
    i.sized?.(told);
  };
  // a feed read from its changed lines: their walk begins as the download arrives (BodyWalk),
  // so that only the body's last ~1/64 is left to walk when it ends
  const lastBody = reusableFeed(i.feed) ? i.reuse?.last?.body : undefined;
  const arriving = lastBody ? new ArrivingWalk(lastBody) : undefined;
  const received = arriving ? (body: Buffer, bytes: number): void => arriving.received(body, bytes) : undefined;
  const download = async (withValidators: boolean): Promise<Map<'v4' | 'v6', FeedFetchResult>> => {
    const res = new Map<'v4' | 'v6', FeedFetchResult>();
    for (const [k, url] of urls) {
      const v = withValidators ? i.validators[k] : undefined;
      try {
        const r = await fetch({
          url, timeoutMs: i.limits.fetchTimeoutSeconds * 1000, maxBytes: Math.min(i.feed.maxBytes, i.limits.maxBytes),
          etag: v?.etag, lastModified: v?.lastModified, sha256: i.feed.sha256?.[k], sized, received,
        });
        for (const p of r.peers ?? []) peers.add(p);
        res.set(k, r);
      } catch (e) {
        if (e instanceof FeedFetchError) for (const p of e.peers) peers.add(p);
        throw e;
      }
    }
    return res;
  };
  const seen = (): string[] => [...peers];
  let got: Map<'v4' | 'v6', FeedFetchResult>;
  const t0 = performance.now();
  const first = download(i.lastGoodUsable !== null);
  first.catch(() => undefined); // awaited below
  const beside = i.beside?.();
  try {
    got = await first;
    const unchanged = [...got.values()].filter((r) => r.status === 'unchanged').length;
    if (unchanged === got.size) return { kind: 'unchanged', peers: seen() };
    // one URL changed, another did not: the unchanged body is not kept, so fetch all afresh
    if (unchanged > 0) got = await download(false);
    // A server without validators sent the same bytes again: nothing to parse, plan or apply.
    if (i.lastGoodUsable !== null && got.size > 0 && [...got].every(([k, r]) => r.status === 'ok' && sameBytes(i, k, r))) return { kind: 'unchanged', peers: seen() };
  } catch (e) {
    if (e instanceof FeedFetchError) return { kind: 'fault', reason: e.reason, detail: { message: e.message, httpStatus: e.httpStatus }, peers: seen() };
    return { kind: 'fault', reason: 'network', detail: { message: String(e) }, peers: seen() };
  }
  const bodies: { v4?: FeedBody; v6?: FeedBody } = {};
  const validators: Validators = {};
  for (const [k, r] of got) {
    if (r.status !== 'ok') return { kind: 'fault', reason: 'network', detail: { message: 'unexpected 304 without validators' }, peers: seen() };
    bodies[k] = { text: r.body, sha256: r.sha256 };
    validators[k] = { etag: r.etag, lastModified: r.lastModified, sha256: r.sha256 };
  }
  const digest = (): void => {
    for (const [k, r] of got) {
      const v = validators[k];
      if (r.status !== 'ok' || !v) continue;
      v.sha256 ??= bodyDigest(r.body);
      if (i.reuse?.last?.body === r.body) i.reuse.last.sha256 = v.sha256;
    }
  };
  // a body without a declared length: its size now
  if (!told) i.sized?.([...got.values()].reduce((n, r) => n + (r.status === 'ok' ? r.body.length : 0), 0));
  await beside;
  const t1 = performance.now();
  const guard = typeof i.guard === 'function' ? i.guard(seen()) : i.guard;
  // a feed read line by line keeps its download for the next refresh (lastParse.ts)
  const only = reusableFeed(i.feed) ? (bodies.v4 ?? bodies.v6)?.text : undefined; // one URL
  const next = Buffer.isBuffer(only) ? only : undefined;
  const slot = next ? i.reuse : undefined;
  const key = slot ? reuseKey(i.feed, guard) : '';
  // the lines that changed since the last download, when that gives the same result
  const walked = next ? arriving?.take(next) : undefined;
  const walkedEarlyBytes = walked?.walkedBytes ?? 0;
  const changed = next && slot?.last ? evaluateChanged(i.feed, slot.last, next, guard, key, i.lastGoodUsable, walked) : null;
  let readWhole: string | undefined;
  if (changed && next && slot?.last) {
    if (!changed.health.ok) return { kind: 'fault', reason: changed.health.reason, detail: changed.health.detail, stats: changed.stats, peers: seen() };
    const t2 = performance.now();
    const base = slot.last.ranges;
    // the whole read gives the same result: a patch that throws (a bug of ours) must not stop
    // the feed's every next update, as a RangeError did until 2026-12-05 (packedPatch.ts RangeOut)
    let patched: ReturnType<typeof patchLast>;
    try {
      patched = patchLast(slot.last, changed.dropped, changed.fresh);
    } catch (e) {
      readWhole = `the patch of its changed lines failed: ${errorMessage(e)}`;
      patched = null;
    }
    if (patched) {
      slot.last = { body: next, key, parts: patched.parts, ranges: patched.ranges, v6Parts: patched.v6Parts, stats: changed.stats };
      const timings = { fetchMs: t1 - t0, evaluateMs: t2 - t1, packMs: performance.now() - t2, walkedEarlyBytes };
      const v4Delta = { base, delta: patched.delta };
      return { kind: 'ok', ranges: patched.ranges, usable: changed.stats.usable, stats: changed.stats, validators, digest, timings, v4Delta, peers: seen() };
    }
  }
  const packer = new RangePacker();
  const outcome = evaluateFeed(i.feed, bodies, guard, i.lastGoodUsable, (r) => packer.add(r), packer, packer);
  if (!outcome.health.ok) return { kind: 'fault', reason: outcome.health.reason, detail: outcome.health.detail, stats: outcome.stats, peers: seen() };
  const t2 = performance.now();
  let ranges: PackedRanges;
  if (slot && next && clean(outcome.stats)) {
    const done = packer.finishWithParts();
    ranges = done.ranges;
    slot.last = { body: next, key, parts: done.parts, ranges: done.ranges, v6Parts: done.v6Parts, stats: outcome.stats };
  } else {
    if (slot) slot.last = null;
    ranges = packer.finish();
  }
  const timings = { fetchMs: t1 - t0, evaluateMs: t2 - t1, packMs: performance.now() - t2 };
  return { kind: 'ok', ranges, usable: outcome.stats.usable, stats: outcome.stats, validators, digest, timings, peers: seen(), ...(readWhole ? { readWhole } : {}) };
}

/** Whether a download holds the bytes of the last accepted one of URL `k`: compared with the
 *  last download kept for reading in parts when that is the accepted one (its digest is the
 *  accepted digest), else by digest (then kept in `r`, not taken again). */
function sameBytes(i: RefreshInput, k: 'v4' | 'v6', r: Extract<FeedFetchResult, { status: 'ok' }>): boolean {
  const accepted = i.validators[k]?.sha256;
  if (accepted === undefined) return false;
  const last = i.reuse?.last;
  if (r.sha256 === undefined && last?.sha256 === accepted) return r.body.equals(last.body);
  r.sha256 ??= bodyDigest(r.body);
  return r.sha256 === accepted;
}

/** Rejected counts by reason for the status row (parser, guard, and `carved:<reason>`). */
export function rejectedCounts(s: FeedStats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(s.parseRejected)) out[k] = (out[k] ?? 0) + (v ?? 0);
  for (const [k, v] of Object.entries(s.guardRejected)) out[k] = (out[k] ?? 0) + (v ?? 0);
  for (const [k, v] of Object.entries(s.carved)) out[`carved:${k}`] = v ?? 0;
  return out;
}
