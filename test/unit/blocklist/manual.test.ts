import test from 'ava';
import { manualAddCmds, manualGroup, overlappingBlock } from '../../../firmware/src/blocklist/manual.js';
import { DurationError, parseDuration } from '../../../firmware/src/time/duration.js';
import { parseEntry } from '../../../firmware/src/net/ip.js';

test('durations: s, m, h, d and plain seconds; nonsense refused', (t) => {
  t.is(parseDuration('90s'), 90_000);
  t.is(parseDuration('15m'), 900_000);
  t.is(parseDuration('24h'), 86_400_000);
  t.is(parseDuration('7d'), 7 * 86_400_000);
  t.is(parseDuration('3'), 3000);
  for (const bad of ['', '0s', '1.5h', '-3s', '24 h', '1w', '400d', '01h']) t.throws(() => parseDuration(bad), { instanceOf: DurationError }, bad);
});

test('the manual group carries the time left and drops expired blocks', (t) => {
  const now = 1_000_000;
  const g = manualGroup([
    { entry: '203.0.113.5', addedAt: 0, expiresAt: now + 2500, reason: '' },
    { entry: '198.51.100.0/26', addedAt: 0, expiresAt: now + 60_000, reason: '' },
    { entry: '203.0.113.6', addedAt: 0, expiresAt: now - 1, reason: '' },
    { entry: '2001:db8::7', addedAt: 0, expiresAt: now + 1000, reason: '' },
  ], now);
  t.true(g.timeouts);
  t.deepEqual(g.v4.single, [{ elem: { val: '203.0.113.5', timeout: 3 } }]);
  t.deepEqual(g.v4.net, [{ elem: { val: { prefix: { addr: '198.51.100.0', len: 26 } }, timeout: 60 } }]);
  t.deepEqual(g.v6.single, [{ elem: { val: '2001:db8::7', timeout: 1 } }]);
});

test('re-blocking deletes the old element first so the new timeout counts', (t) => {
  const cmds = manualAddCmds('utm', parseEntry('203.0.113.5'), 30, true).map((c) => JSON.parse(c) as Record<string, any>);
  t.deepEqual(Object.keys(cmds[0]!), ['delete']);
  t.deepEqual(cmds[1]!.add.element.elem, [{ elem: { val: '203.0.113.5', timeout: 30 } }]);
  t.is(cmds[1]!.add.element.name, 'bl_manual_v4');
});

test('overlapping manual nets never reach the interval set together, and a new one is refused', (t) => {
  const now = 0;
  const blocks = [
    { entry: '203.0.113.0/25', addedAt: 0, expiresAt: 100_000, reason: '' },
    { entry: '203.0.113.0/24', addedAt: 0, expiresAt: 100_000, reason: '' },
    { entry: '198.51.100.0/24', addedAt: 0, expiresAt: 100_000, reason: '' },
  ];
  const g = manualGroup(blocks, now);
  t.is(g.v4.net.length, 2);
  t.like(overlappingBlock(blocks.slice(0, 1), parseEntry('203.0.113.64/26'), now), { entry: '203.0.113.0/25' });
  t.is(overlappingBlock(blocks, parseEntry('192.0.2.0/24'), now), undefined);
  t.is(overlappingBlock(blocks, parseEntry('203.0.113.5'), now), undefined, 'a single goes to the hash set: no clash');
});
