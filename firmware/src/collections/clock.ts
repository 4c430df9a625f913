// The clock hand of CLOCK (second chance) eviction, shared by CappedMap and CappedSlots: it moves
// over a Map's entries in insertion order and stops at the first one not touched since it last
// passed. One live iterator is the hand: a fresh `entries()` per eviction would restart at the
// front and walk over every deleted slot V8 has not yet compacted (O(n) per eviction).
export class ClockHand<K, S> {
  private it: IterableIterator<[K, S]> | undefined;

  /** `spare(s)`: whether entry `s` was used since the hand last passed; it also clears that mark. */
  constructor(private readonly m: Map<K, S>, private readonly spare: (s: S) => boolean) {}

  /** The entry to drop, never `keep` (the key just inserted must survive its own insert);
   *  undefined only for an empty map. Terminates: each step clears a mark, skips `keep` (at most
   *  twice) or returns. */
  victim(keep: K): [K, S] | undefined {
    for (let guard = this.m.size * 2 + 4; guard > 0; guard--) {
      let r = this.it?.next();
      if (r === undefined || r.done) {
        this.it = this.m.entries();
        r = this.it.next();
        if (r.done) return undefined;
      }
      const [k, s] = r.value;
      if (k === keep || this.spare(s)) continue;
      return r.value;
    }
    return undefined;
  }
}
