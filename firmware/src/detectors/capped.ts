// A Map with a hard entry cap: touching an entry moves it to the back; inserting past the cap
// drops the least recently touched one. Every detector keeps its window state in these, so
// memory is bounded whatever the traffic (see caps in rules/thresholds.json).

export class CappedMap<K, V> {
  private readonly m = new Map<K, V>();
  /** How many entries were dropped because the cap was reached (reported as evidence of load). */
  dropped = 0;

  constructor(readonly cap: number) {}

  get size(): number { return this.m.size; }

  /** Value for key without changing its age. */
  peek(k: K): V | undefined { return this.m.get(k); }

  /** Value for key, marking it recently used. */
  get(k: K): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) { this.m.delete(k); this.m.set(k, v); }
    return v;
  }

  /** Insert or replace, marking it recently used; evicts the oldest when over the cap. */
  set(k: K, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.cap) {
      const oldest = this.m.keys().next();
      if (!oldest.done) { this.m.delete(oldest.value); this.dropped++; }
    }
  }

  /** Get or create (and touch). */
  upsert(k: K, make: () => V): V {
    const v = this.get(k);
    if (v !== undefined) return v;
    const n = make();
    this.set(k, n);
    return n;
  }

  delete(k: K): boolean { return this.m.delete(k); }

  /** Drop entries, oldest first, while `stale(v)` holds; stops at the first fresh one. */
  evictWhile(stale: (v: V) => boolean): number {
    let n = 0;
    for (const [k, v] of this.m) {
      if (!stale(v)) break;
      this.m.delete(k);
      n++;
    }
    return n;
  }

  /** Drop every entry for which `stale(v)` holds (full scan; call from evict(), not per event). */
  sweep(stale: (v: V) => boolean): number {
    let n = 0;
    for (const [k, v] of this.m) if (stale(v)) { this.m.delete(k); n++; }
    return n;
  }

  entries(): IterableIterator<[K, V]> { return this.m.entries(); }
}
