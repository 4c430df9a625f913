import test from 'ava';
import { SessionStore } from '../../../../webui/src/auth/store.js';

test('a session ends after the idle time without use, and lives on while used', (t) => {
  const s = new SessionStore(4, 8 * 3600_000, 30 * 60_000);
  s.add('a', 'admin', '10.0.0.1', 0);
  t.truthy(s.get('a', 29 * 60_000), 'used after 29 minutes');
  t.truthy(s.get('a', 58 * 60_000), 'used again 29 minutes later');
  t.is(s.get('a', 88 * 60_000 + 1), null, 'idle for 30 minutes: gone');
  t.is(s.size, 0);
});

test('a used session still ends at its absolute expiry', (t) => {
  const s = new SessionStore(4, 60 * 60_000, 30 * 60_000);
  s.add('a', 'admin', '10.0.0.1', 0);
  for (let m = 20; m < 60; m += 20) t.truthy(s.get('a', m * 60_000));
  t.is(s.get('a', 60 * 60_000), null);
});
