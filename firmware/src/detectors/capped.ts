// A Map with a hard entry cap, evicting approximately least-recently-used entries with the
// CLOCK (second chance) rule: a touch only sets a flag (no Map reordering, which profiling
// showed to dominate), and when the cap is exceeded the oldest-inserted entry is dropped unless
// it was touched since it last came round, in which case it moves to the back. Every detector
// keeps its window state in these, so memory is bounded whatever the traffic (caps in
// rules/thresholds.json).

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
    if (this.m.size > this.cap) this.evictOne();
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

  private evictOne(): void {
    // Terminates: each pass clears a flag, so at most size+1 steps.
    for (;;) {
      const first = this.m.entries().next();
      if (first.done) return;
      const [k, s] = first.value;
      this.m.delete(k);
      if (s.used) { s.used = false; this.m.set(k, s); continue; }
      this.dropped++;
      return;
    }
  }

  /** Drop every entry for which `stale(v)` holds (full scan; call from evict(), not per event). */
  sweep(stale: (v: V) => boolean): number {
    let n = 0;
    for (const [k, s] of this.m) if (stale(s.v)) { this.m.delete(k); n++; }
    return n;
  }

  *entries(): IterableIterator<[K, V]> {
    for (const [k, s] of this.m) yield [k, s.v];
  }
}
