// CappedMap's twin for large window tables (issue 15, memory): the same cap and the same CLOCK
// (second chance) eviction over the keys in insertion order, but an entry is only a slot number
// in one Map<K, number>. Its values live in the owner's columns (typed arrays, indexed by slot),
// its "used" flag in one byte here: no object per entry. Profiling at 5,000 devices × 50,000
// destinations showed the {v, used} slot, the value object and its boxed numbers to cost
// 150–300 B per entry, several times the data they held.
import { ClockHand } from './clock.js';

/** What the owner does when slots are added or freed. */
export interface SlotColumns {
  /** Make room for slots 0 … capacity-1 (copy the columns into larger ones). */
  grow(capacity: number): void;
  /** Slot `slot` is about to be freed (evicted, swept or deleted): release what it holds. */
  drop(slot: number): void;
}

export class CappedSlots<K> {
  private readonly m = new Map<K, number>();
  private used = new Uint8Array(0);
  private readonly free: number[] = [];
  private next = 0;
  /** How many entries were dropped because the cap was reached (reported as evidence of load). */
  dropped = 0;

  /** `cap`: most entries kept; `cols` grows and releases the owner's columns. */
  constructor(readonly cap: number, private readonly cols: SlotColumns) {}

  get size(): number { return this.m.size; }

  /** Slot of key without marking it used. */
  peek(k: K): number | undefined { return this.m.get(k); }

  /** Slot of key, marking it recently used. */
  get(k: K): number | undefined {
    const s = this.m.get(k);
    if (s !== undefined) this.used[s] = 1;
    return s;
  }

  /** Slot for key: the existing one (marked used) or a new one (not yet marked, like
   *  CappedMap.set of a new key) with `fresh` true; evicts when over the cap. The owner fills a
   *  fresh slot's columns before its next call here. */
  upsert(k: K): { slot: number; fresh: boolean } {
    const s = this.m.get(k);
    if (s !== undefined) { this.used[s] = 1; return { slot: s, fresh: false }; }
    const slot = this.alloc();
    this.used[slot] = 0;
    this.m.set(k, slot);
    if (this.m.size > this.cap) this.evictOne(k);
    return { slot, fresh: true };
  }

  /** Frees key's slot (the owner's drop() runs first). */
  delete(k: K): boolean {
    const s = this.m.get(k);
    if (s === undefined) return false;
    this.release(k, s);
    return true;
  }

  private alloc(): number {
    const f = this.free.pop();
    if (f !== undefined) return f;
    if (this.next >= this.used.length) {
      // Doubling, at most one past the cap (an insert holds cap+1 slots until it evicts); never
      // less than the slot asked for, whatever happens.
      const capacity = Math.max(this.next + 1, Math.min(this.cap + 1, Math.max(64, this.used.length * 2)));
      const used = new Uint8Array(capacity);
      used.set(this.used);
      this.used = used;
      this.cols.grow(capacity);
    }
    return this.next++;
  }

  private release(k: K, s: number): void {
    this.cols.drop(s);
    this.m.delete(k);
    this.free.push(s);
  }

  private readonly hand = new ClockHand<K, number>(this.m, (s) => {
    if (this.used[s] !== 1) return false;
    this.used[s] = 0;
    return true;
  });

  /** Drops one entry other than `keep` (the key just inserted must survive its own insert). */
  private evictOne(keep: K): void {
    const v = this.hand.victim(keep);
    if (v === undefined) return;
    this.release(v[0], v[1]);
    this.dropped++;
  }

  /** Drop every entry whose slot is `stale` (full scan; call from evict(), not per event). */
  sweep(stale: (slot: number) => boolean): number {
    let n = 0;
    for (const [k, s] of this.m) if (stale(s)) { this.release(k, s); n++; }
    return n;
  }

  /** Keys in insertion order. */
  keys(): IterableIterator<K> { return this.m.keys(); }

  /** Keys and their slots, in insertion order. */
  entries(): IterableIterator<[K, number]> {
    return this.m.entries();
  }
}

/** `a` copied into a new array of `capacity` elements (the columns' grow()). */
export function grown<T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(a: T, capacity: number, make: (n: number) => T): T {
  const b = make(capacity);
  b.set(a);
  return b;
}
