// CappedSlots keeps CappedMap's cap and CLOCK eviction exactly (same entries, same order), and
// tells its owner about every freed slot, so the owner's columns and references stay right.
import test from 'ava';
import fc from 'fast-check';
import { CappedMap } from '../../../firmware/src/collections/capped.js';
import { CappedSlots } from '../../../firmware/src/collections/cappedSlots.js';

/** A CappedSlots with one column of values, and the slots it was told to drop. */
function slotted(cap: number) {
  let vals: number[] = [];
  let capacity = 0;
  const dropped: number[] = [];
  const s = new CappedSlots<number>(cap, { grow: (n) => { capacity = n; vals = vals.slice(0, n); }, drop: (slot) => { dropped.push(slot); vals[slot] = -1; } });
  const entries = () => [...s.entries()].map(([k, slot]) => [k, vals[slot]]);
  return { s, set: (k: number, v: number) => { const { slot } = s.upsert(k); vals[slot] = v; }, val: (slot: number) => vals[slot]!, entries, dropped, capacity: () => capacity };
}

test('property: the same entries in the same order as CappedMap, whatever the gets, sets, deletes and sweeps', (t) => {
  const op = fc.tuple(fc.constantFrom('get', 'peek', 'set', 'delete', 'sweep'), fc.integer({ min: 0, max: 12 }));
  fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 300 }), (cap, ops) => {
    const m = new CappedMap<number, number>(cap);
    const x = slotted(cap);
    let v = 0;
    for (const [o, k] of ops) {
      if (o === 'get') { const slot = x.s.get(k); if (m.get(k) !== (slot === undefined ? undefined : x.val(slot))) return false; }
      else if (o === 'peek') { if ((m.peek(k) === undefined) !== (x.s.peek(k) === undefined)) return false; }
      else if (o === 'set') { v++; m.set(k, v); x.set(k, v); }
      else if (o === 'delete') { if (m.delete(k) !== x.s.delete(k)) return false; }
      else if (m.sweep((val) => val % 7 === k % 7) !== x.s.sweep((slot) => x.val(slot) % 7 === k % 7)) return false;
      if (JSON.stringify([...m.entries()]) !== JSON.stringify(x.entries())) return false;
      if (m.dropped !== x.s.dropped || x.s.size > cap || x.capacity() > cap + 1) return false;
    }
    return true;
  }), { numRuns: 1000 });
  t.pass();
});

test('every freed slot is dropped once and then reused', (t) => {
  const x = slotted(2);
  x.set(1, 10); x.set(2, 20);
  x.set(3, 30); // evicts 1 (never touched)
  t.deepEqual(x.dropped, [0]);
  t.deepEqual(x.entries(), [[2, 20], [3, 30]]);
  x.s.delete(2);
  t.deepEqual(x.dropped, [0, 1]);
  x.set(4, 40);
  t.deepEqual(x.entries(), [[3, 30], [4, 40]]);
  t.is(x.capacity(), 3, 'cap + 1 slots at most: freed slots are taken again');
});

test('a new entry is not yet used: the clock spares the one touched, not the newer one', (t) => {
  const x = slotted(2);
  x.set(0, 1); x.s.get(0); x.set(1, 2); x.set(2, 3);
  t.deepEqual(x.entries().map(([k]) => k), [0, 2]);
});
