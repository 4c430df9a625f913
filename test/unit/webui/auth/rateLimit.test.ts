import test from 'ava';
import { LoginLimiter } from '../../../../webui/src/auth/rateLimit.js';

const opts = { perClient: 3, global: 10, windowMs: 60_000, maxClients: 4 };

test('a client is stopped after its allowance and may try again after the window', (t) => {
  const l = new LoginLimiter(opts);
  for (let i = 0; i < 3; i++) {
    t.true(l.check('10.0.0.1', i).allowed);
    l.attempt('10.0.0.1', i);
  }
  const d = l.check('10.0.0.1', 10);
  t.false(d.allowed);
  t.is(d.retryAfterMs, 60_000 - 10);
  t.true(l.check('10.0.0.2', 10).allowed, 'other clients are not affected');
  t.true(l.check('10.0.0.1', 60_000).allowed);
});

test('a correct password forgets the client attempts', (t) => {
  const l = new LoginLimiter(opts);
  l.attempt('a', 0);
  l.attempt('a', 0);
  l.succeed('a');
  l.attempt('a', 0);
  l.attempt('a', 0);
  t.true(l.check('a', 0).allowed);
});

test('the global ceiling stops guessing from many addresses', (t) => {
  const l = new LoginLimiter({ ...opts, maxClients: 100 });
  for (let i = 0; i < 10; i++) l.attempt(`10.0.0.${i}`, 0);
  t.false(l.check('10.0.1.1', 1).allowed);
  t.true(l.check('10.0.1.1', 60_000).allowed);
});

test('memory stays bounded: the oldest clients are forgotten', (t) => {
  const l = new LoginLimiter({ ...opts, global: 1_000_000 });
  for (let i = 0; i < 100; i++) l.attempt(`c${i}`, 0);
  t.is(l.trackedClients, 4);
});
