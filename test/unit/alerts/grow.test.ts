import test from 'ava';
import { grewEnough, growParams, sizeOf } from '../../../firmware/src/alerts/grow.js';

test('window sizes keep their largest value; the latest interval wins; bytes add up', (t) => {
  t.deepEqual(growParams({ servers: 30, minutes: 10 }, { servers: 12, minutes: 10 }), { servers: 30, minutes: 10 });
  t.deepEqual(growParams({ servers: 5 }, { servers: 30 }), { servers: 30 });
  t.deepEqual(growParams({ intervalSeconds: 1500, connections: 24 }, { intervalSeconds: 1614, connections: 50 }), { intervalSeconds: 1614, connections: 50 });
  t.deepEqual(growParams({ bytes: 1e9 }, { bytes: 1.1e9 }), { bytes: 2.1e9 });
  t.deepEqual(growParams({ remote: 'a' }, { remote: 'b', hosts: 3 }), { remote: 'b', hosts: 3 });
});

test('upstream hears again at each doubling, not at each new server', (t) => {
  t.deepEqual(sizeOf({ servers: 5, remote: 'x', minutes: 10 }), { servers: 5 });
  t.false(grewEnough({ servers: 5 }, { servers: 9 }));
  t.true(grewEnough({ servers: 5 }, { servers: 10 }));
  t.true(grewEnough({}, { servers: 1 }));
  t.false(grewEnough({}, {}));
  t.true(grewEnough({ servers: 0 }, { servers: 2 }));
});
