import test from 'ava';
import { clientKey, FD_HEADROOM, pageLimits, parseNofile } from '../../../firmware/src/app/webLimits.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

test('the soft descriptor limit is read from /proc/self/limits text', (t) => {
  t.is(parseNofile(LIMITS), 1024);
  t.is(parseNofile(LIMITS.replace('1024   ', 'unlimited')), null);
  t.is(parseNofile('garbage'), null);
});

test('the page always leaves headroom below the descriptor limit, and stays usable at tiny limits', (t) => {
  for (const n of [64, 256, 1024, 4096, 65536, 1_048_576]) {
    const l = pageLimits(n);
    t.true(l.maxConnections >= 16, `${n}`);
    if (n >= 1024) t.true(l.maxConnections <= n - FD_HEADROOM, `${n}`);
    t.true(l.perClient <= l.maxConnections);
    t.true(l.perClient < l.maxConnections, 'one client never takes the whole page');
  }
  t.is(pageLimits(null).maxConnections, pageLimits(1024).maxConnections);
});

test('one client is one IPv4 address or one IPv6 /64', (t) => {
  t.is(clientKey('192.168.1.10'), '192.168.1.10');
  t.is(clientKey('::ffff:192.168.1.10'), '192.168.1.10');
  t.is(clientKey('2001:db8:1:2:aaaa::1'), clientKey('2001:db8:1:2:bbbb::7'));
  t.not(clientKey('2001:db8:1:2::1'), clientKey('2001:db8:1:3::1'));
  t.is(clientKey('fe80::1%eth0'), 'fe80::/64');
});
