import test from 'ava';
import { backoffMs, clientKeys, LoginLimiter, type LoginLimiterOptions } from '../../../../webui/src/auth/rateLimit.js';

const opts: LoginLimiterOptions = { freePerAddress: 3, freePerPrefix: 6, baseDelayMs: 1_000, maxDelayMs: 60_000, forgetMs: 3_600_000, maxKeys: 8 };

function fail(l: LoginLimiter, ip: string, n: number, now: number, browser: string | null = null): void {
  for (let i = 0; i < n; i++) l.attempt(ip, now, browser);
}

test('an address may fail a few times freely, then waits twice as long after each failure', (t) => {
  const l = new LoginLimiter(opts);
  fail(l, '10.0.0.1', 3, 0);
  t.deepEqual(l.check('10.0.0.1', 0), { allowed: false, retryAfterMs: 1_000 });
  t.true(l.check('10.0.0.1', 1_000).allowed);
  l.attempt('10.0.0.1', 1_000);
  t.deepEqual(l.check('10.0.0.1', 1_000), { allowed: false, retryAfterMs: 2_000 });
  t.true(l.check('10.0.0.2', 1_000).allowed, 'another address is not affected');
});

test('the back-off doubles and stops at the maximum', (t) => {
  t.is(backoffMs(2, 3, opts), 0);
  t.is(backoffMs(3, 3, opts), 1_000);
  t.is(backoffMs(5, 3, opts), 4_000);
  t.is(backoffMs(40, 3, opts), 60_000);
  t.is(backoffMs(10_000, 3, opts), 60_000);
});

test('no shared global lockout: failures from a thousand IPv4 addresses leave the technician free', (t) => {
  const l = new LoginLimiter({ ...opts, maxKeys: 100_000 });
  for (let i = 0; i < 1000; i++) fail(l, `10.0.${i >> 8}.${i & 255}`, 10, 0);
  t.true(l.check('192.168.1.10', 0).allowed);
  t.true(l.check('::ffff:192.168.1.10', 0).allowed);
});

test('many addresses of one IPv6 /64 share the /64 back-off; another /64 does not', (t) => {
  const l = new LoginLimiter(opts);
  for (let i = 1; i <= 6; i++) l.attempt(`2001:db8:1:2::${i}`, 0);
  t.false(l.check('2001:db8:1:2::99', 0).allowed, 'a fresh address of the same /64 waits');
  t.true(l.check('2001:db8:1:3::1', 0).allowed, 'the neighbouring /64 is free');
  t.true(l.check('192.168.1.10', 0).allowed, 'IPv4 is free');
});

test('a browser that logged in before is limited by its own failures only', (t) => {
  const l = new LoginLimiter(opts);
  fail(l, '2001:db8:1:2::1', 20, 0);
  t.false(l.check('2001:db8:1:2::5', 0).allowed);
  t.true(l.check('2001:db8:1:2::5', 0, 'tech-laptop').allowed);
  fail(l, '2001:db8:1:2::5', 3, 0, 'tech-laptop');
  t.false(l.check('2001:db8:1:2::5', 0, 'tech-laptop').allowed);
});

test('a correct password forgets the address and takes the attempt back from the /64', (t) => {
  const l = new LoginLimiter(opts);
  fail(l, '10.0.0.1', 2, 0);
  l.attempt('10.0.0.1', 0);
  l.succeed('10.0.0.1');
  fail(l, '10.0.0.1', 2, 0);
  t.true(l.check('10.0.0.1', 0).allowed);
});

test('failures are forgotten after a quiet hour', (t) => {
  const l = new LoginLimiter(opts);
  fail(l, '10.0.0.1', 10, 0);
  t.false(l.check('10.0.0.1', 59_000).allowed);
  t.true(l.check('10.0.0.1', 3_600_000).allowed);
});

test('memory stays bounded: the least recently failed keys are forgotten', (t) => {
  const l = new LoginLimiter(opts);
  for (let i = 0; i < 100; i++) l.attempt(`10.0.1.${i}`, 0);
  t.is(l.trackedKeys, 8);
});

test('client keys: mapped IPv4 is IPv4; IPv6 gets its /64; garbage gets a bounded key', (t) => {
  t.deepEqual(clientKeys('::ffff:192.0.2.7'), { address: '192.0.2.7', prefix: null });
  t.deepEqual(clientKeys('2001:DB8:0:0:1::5'), { address: '2001:db8::1:0:0:5', prefix: '2001:db8::/64' });
  t.deepEqual(clientKeys('fe80::1%br0'), { address: 'fe80::1', prefix: 'fe80::/64' });
  t.is(clientKeys('x'.repeat(500)).address.length, 'other:'.length + 64);
});
