import test from 'ava';
import { routeBlocklist } from '../../../firmware/src/cli/blocklistCmds.js';
import { UsageError } from '../../../firmware/src/cli/args.js';
import { printBlocklistHuman } from '../../../firmware/src/cli/blocklistHuman.js';

test('command lines map to control commands', (t) => {
  t.deepEqual(routeBlocklist(['blocklist', 'status'], {}), { cmd: 'blocklist.status', args: {} });
  t.deepEqual(routeBlocklist(['blocklist', 'refresh', 'feodo-c2'], {}), { cmd: 'blocklist.refresh', args: { feed: 'feodo-c2' } });
  t.deepEqual(routeBlocklist(['allow', 'add', '192.0.2.1'], { note: 'bank' }), { cmd: 'allow.add', args: { entry: '192.0.2.1', note: 'bank' } });
  t.deepEqual(routeBlocklist(['block', 'add', '203.0.113.5'], { for: '24h' }), { cmd: 'block.add', args: { entry: '203.0.113.5', seconds: 86400 } });
  t.deepEqual(routeBlocklist(['blocklist', 'disable', 'feodo-c2'], {}), { cmd: 'blocklist.disable', args: { feed: 'feodo-c2' } });
  t.deepEqual(routeBlocklist(['blocklist', 'remove-feed', 'mine'], {}), { cmd: 'blocklist.remove', args: { feed: 'mine' } });
  t.is(routeBlocklist(['status'], {}), null);
  t.throws(() => routeBlocklist(['block', 'add', '203.0.113.5'], {}), { instanceOf: UsageError });
  t.throws(() => routeBlocklist(['block', 'add', '203.0.113.5'], { for: 'soon' }), { instanceOf: UsageError });
});

test('human output neutralises escape sequences from feeds', (t) => {
  let out = '';
  printBlocklistHuman('blocklist.status', {
    feeds: [{ id: 'x', enabled: true, loaded: false, action: 'drop', direction: 'both', category: 'c2', usable: 0, lastError: 'bad \u001b[2J thing', rejected: {} }],
    groups: [], warnings: [],
  }, (s) => { out += s; });
  t.false(out.includes('\u001b'));
  t.true(out.includes('\\x1b'));
});
