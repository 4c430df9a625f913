// A Map with a hard entry cap, evicting approximately least-recently-used entries with the
// CLOCK (second chance) rule: a touch only sets a flag (no Map reordering, which profiling
// showed to dominate); when the cap is exceeded the hand moves over the entries in insertion
// order, clearing flags, and drops the first entry not touched since the hand last passed it. Every detector
// keeps its window state in these, so memory is bounded whatever the traffic (caps in
// rules/thresholds.json).

import { ClockHand } from './clock.js';

interface Slot<V> { v: V; used: boolean }

export class CappedMap<K, V> {
  private readonly m = new Map<K, Slot<V>>();
  /** How many entries were dropped because the cap was reached (reported as evidence of load). */
  dropped = 0;

  constructor(readonly cap: number) {}

  get size(): number { return this.m.size; }

  /** Value for key without marking it used. */
  peek(k: K): V | undefined { return this.m.get(k)?.v; }

  /** Value for key, marking it recently used. */
  get(k: K): V | undefined {
    const s = this.m.get(k);
    if (s === undefined) return undefined;
    s.used = true;
    return s.v;
  }

  /** Insert or replace, marking it used; evicts when over the cap. */
  set(k: K, v: V): void {
    const s = this.m.get(k);
    if (s !== undefined) { s.v = v; s.used = true; return; }
    this.m.set(k, { v, used: false });
    if (this.m.size > this.cap) this.evictOne(k);
  }

  /** Get or create (and mark used). */
  upsert(k: K, make: () => V): V {
    const s = this.m.get(k);
    if (s !== undefined) { s.used = true; return s.v; }
    const v = make();
    this.set(k, v);
    return v;
  }

  delete(k: K): boolean { return this.m.delete(k); }

  private readonly hand = new ClockHand<K, Slot<V>>(this.m, (s) => {
    if (!s.used) return false;
    s.used = false;
    return true;
  });

  /** Drops one entry other than `keep` (the key just inserted must survive its own insert). */
  private evictOne(keep: K): void {
    const v = this.hand.victim(keep);
    if (v === undefined) return;
    this.m.delete(v[0]);
    this.dropped++;
  }

  /** Drop every entry for which `stale(v)` holds (full scan; call from evict(), not per event). */
  sweep(stale: (v: V) => boolean): number {
    let n = 0;
    for (const [k, s] of this.m) if (stale(s.v)) { this.m.delete(k); n++; }
    return n;
  }

  /** Keys in insertion order. */
  keys(): IterableIterator<K> { return this.m.keys(); }

  *entries(): IterableIterator<[K, V]> {
    for (const [k, s] of this.m) yield [k, s.v];
  }
}
