import test from 'ava';
import { SessionStore } from '../../../../webui/src/auth/store.js';

test('sessions live until their expiry and can be removed', (t) => {
  const s = new SessionStore(4, 1000);
  s.add('a', 'admin', '10.0.0.1', 0);
  t.is(s.get('a', 999)?.user, 'admin');
  t.is(s.get('a', 1000), null);
  s.add('b', 'admin', '10.0.0.1', 0);
  s.remove('b');
  t.is(s.get('b', 1), null);
});

test('the store is bounded: the oldest session is evicted', (t) => {
  const s = new SessionStore(2, 1000);
  s.add('a', 'admin', 'x', 0);
  s.add('b', 'admin', 'x', 1);
  s.add('c', 'admin', 'x', 2);
  t.is(s.size, 2);
  t.is(s.get('a', 3), null);
  t.truthy(s.get('c', 3));
});
