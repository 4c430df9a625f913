// Keeps the heap from growing while utmd idles. Its pollers (the port watcher's `ip` reads, the
// neighbour and bridge tables, conntrack) leave ~1 MB a minute of garbage old enough to be
// promoted. V8 lets that pile up to ~8 MB above what is live before it collects (its smallest
// growing step), a collection it starts itself keeps the pages it grew, and its memory reducer
// runs again only once 10 MB more are committed: an idle utmd grew from 76 to 85–86 MB RSS
// within ~10 minutes (2026-12-06). A collection forced after every MiB of such garbage frees it
// while the pages hold it, and the next garbage fills the freed space: the heap stays the size
// it has. (Forced later, it could not give the grown pages back: V8 compacts only pages ≥ 70 %
// empty.) So every 30 s this reads the heap; when a MiB more is in use than the least since the
// last collection, and the heap did not grow by a MiB since the reading before (a load under way
// grows it faster; it is left alone), it collects: 15–40 ms for utmd's ~25 MB, about once a
// minute when idle. (After every 2 MiB instead: 82 against 81 MB RSS after 10 idle minutes, one
// run each, 2026-12-06.)
// It needs node's --expose-gc (utmd.service passes it); without it, it does nothing and says so.
import { getHeapStatistics } from 'node:v8';
import { Poller } from '../time/poller.js';

export const CHECK_EVERY_MS = 30_000;
const MiB = 1024 * 1024;

/** What a look at the heap reads: the bytes V8 holds from the system, and those in use. */
export interface HeapReading {
  committedBytes: number;
  usedBytes: number;
}

export interface CollectRule {
  /** Collect once this much more is in use than the least since the last collection. */
  growthBytes: number;
  /** …and grew less than this since the look before (work under way grows it faster). */
  steadyBytes: number;
}

export const COLLECT_RULE: CollectRule = { growthBytes: 1 * MiB, steadyBytes: 1 * MiB };

/** Whether to collect now: in use grew by the rule above `floor` (the least in use since the
 *  last collection), and the heap was quiet since the reading before (`prev`; none: not quiet). */
export function shouldCollect(floor: number, prev: HeapReading | null, now: HeapReading, rule: CollectRule = COLLECT_RULE): boolean {
  if (prev === null) return false;
  return now.usedBytes - floor >= rule.growthBytes && Math.abs(now.committedBytes - prev.committedBytes) < rule.steadyBytes;
}

export interface IdleCollectorOptions {
  /** A full collection (node's global `gc` under --expose-gc); undefined: not available. */
  gc: (() => void) | undefined;
  /** Reads the heap (default: node:v8). */
  read?: (() => HeapReading) | undefined;
  everyMs?: number | undefined;
  now?: (() => number) | undefined;
}

function readV8(): HeapReading {
  const h = getHeapStatistics();
  return { committedBytes: h.total_heap_size, usedBytes: h.used_heap_size };
}

export class IdleCollector {
  private readonly poller: Poller;
  private readonly read: () => HeapReading;
  private floor: number | null = null;
  private prev: HeapReading | null = null;
  private readonly figures = { collections: 0, lastAt: null as number | null, lastFreedBytes: 0, freedBytes: 0, lastPauseMs: 0, maxPauseMs: 0 };

  constructor(private readonly o: IdleCollectorOptions) {
    this.read = o.read ?? readV8;
    this.poller = new Poller({ everyMs: o.everyMs ?? CHECK_EVERY_MS, run: () => this.look() });
  }

  /** Starts looking (nothing when no gc was given). */
  start(): void {
    if (this.o.gc) this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }

  /** One look: collects when the rule says so. */
  look(): void {
    const gc = this.o.gc;
    if (!gc) return;
    const now = this.read();
    // the least in use since the last collection (V8's own collections lower it too)
    this.floor = Math.min(this.floor ?? now.usedBytes, now.usedBytes);
    if (shouldCollect(this.floor, this.prev, now)) {
      const t0 = performance.now();
      gc();
      const pauseMs = performance.now() - t0;
      const after = this.read();
      const f = this.figures;
      f.collections++;
      f.lastAt = (this.o.now ?? Date.now)();
      f.lastFreedBytes = now.usedBytes - after.usedBytes;
      f.freedBytes += Math.max(0, f.lastFreedBytes);
      f.lastPauseMs = Math.round(pauseMs * 10) / 10;
      f.maxPauseMs = Math.max(f.maxPauseMs, f.lastPauseMs);
      this.floor = after.usedBytes;
      this.prev = after;
      return;
    }
    this.prev = now;
  }

  /** For `utmctl status`: whether it runs, what its collections freed, the heap it keeps. */
  status(): Record<string, unknown> {
    const h = this.o.gc ? this.read() : null;
    return { available: this.o.gc !== undefined, floorBytes: this.floor, committedBytes: h?.committedBytes ?? null, ...this.figures };
  }
}
