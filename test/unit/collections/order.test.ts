// Sorting identifiers without ICU: code-unit order, and natural order for interface names,
// checked against Intl.Collator's numeric order on the names it is used for.
import test from 'ava';
import fc from 'fast-check';
import { byCodeUnit, naturalOrder } from '../../../firmware/src/collections/order.js';

test('code-unit order is the default sort order', (t) => {
  fc.assert(fc.property(fc.array(fc.string()), (xs) => {
    t.deepEqual([...xs].sort(byCodeUnit), [...xs].sort());
  }));
});

test('natural order puts eth2 before eth10 and agrees with a numeric collator on interface names', (t) => {
  t.deepEqual(['eth10', 'eth2', 'enp1s0', 'eth1', 'wlan0', 'enp0s31f6'].sort(naturalOrder), ['enp0s31f6', 'enp1s0', 'eth1', 'eth2', 'eth10', 'wlan0']);
  const name = fc.tuple(fc.constantFrom('eth', 'enp', 'veth', 'lan', 'wan'), fc.nat(300), fc.constantFrom('', 's0', 'f1', 'p2')).map(([a, n, b]) => `${a}${n}${b}`);
  const collator = new Intl.Collator('en', { numeric: true });
  fc.assert(fc.property(fc.array(name), (xs) => {
    t.deepEqual([...xs].sort(naturalOrder), [...xs].sort((a, b) => collator.compare(a, b) || byCodeUnit(a, b)));
  }));
});

test('natural order is a total order: antisymmetric and consistent with equality', (t) => {
  fc.assert(fc.property(fc.string(), fc.string(), (a, b) => {
    t.true(Math.sign(naturalOrder(a, b)) === -Math.sign(naturalOrder(b, a)));
    t.is(naturalOrder(a, b) === 0, a === b);
  }));
  t.true(naturalOrder('eth01', 'eth1') !== 0, 'other spellings of one number still order');
});
