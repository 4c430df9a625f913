import test from 'ava';
import fc from 'fast-check';
import { CappedMap } from '../../../firmware/src/collections/capped.js';

test('property: the cap is never exceeded and the newest key is always present', (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), { maxLength: 300 }), (cap, ops) => {
    const m = new CappedMap<number, number>(cap);
    for (const [k, isGet] of ops) {
      if (isGet) m.get(k);
      else {
        m.set(k, k);
        if (m.peek(k) !== k) return false;
      }
      if (m.size > cap) return false;
    }
    return true;
  }));
  t.pass();
});

test('entries used since the clock hand last passed survive an eviction', (t) => {
  const m = new CappedMap<string, number>(3);
  m.set('a', 1); m.set('b', 2); m.set('c', 3);
  m.get('a');
  m.set('d', 4); // hand: a used → spared, b unused → dropped
  t.deepEqual([...m.entries()].map(([k]) => k).sort(), ['a', 'c', 'd']);
  t.is(m.dropped, 1);
});

test('sweep removes stale values', (t) => {
  const m = new CappedMap<string, number>(10);
  for (let i = 0; i < 10; i++) m.set(`k${i}`, i);
  t.is(m.sweep((v) => v < 5), 5);
  t.is(m.size, 5);
});
