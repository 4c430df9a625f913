import test from 'ava';
import { protectedList } from '../../../firmware/src/blocklist/protect.js';
import { allowRanges } from '../../../firmware/src/policy/build.js';
import { ConfigSchema } from '../../../firmware/src/config/schema.js';
import type { NetworkPlan } from '../../../firmware/src/policy/network.js';
import { formatRange } from '../../../firmware/src/net/ip.js';

test('the guard protects exactly what the ruleset allowlist allows, each with a reason', (t) => {
  const config = ConfigSchema.parse({ allowlist: { local: ['203.0.113.200'] }, upstream: { host: '198.51.100.10' } });
  const plan: NetworkPlan = {
    mode: 'bridge', ifaces: { wan: 'eth0', lan: ['eth1'], bridge: 'br0' }, bridgePorts: [], lanPrefixes: ['192.168.77.0/24', '2001:db8:77::/64'],
    boxAddresses: ['192.168.77.2'], gateways: ['192.168.77.1', 'fe80::1%br0'], wanReason: '', problems: [],
  };
  const extraAllow = ['192.0.2.99'];
  const got = protectedList({ config, provisioning: null, plan, extraAllow });
  const expected = allowRanges({ config, provisioning: null, plan, extraAllow }).map(formatRange).sort();
  t.deepEqual(got.map((p) => formatRange(p.range)).sort(), expected);
  t.like(got.find((p) => formatRange(p.range) === '192.168.77.0/24'), { reason: 'lan' });
  t.like(got.find((p) => formatRange(p.range) === '198.51.100.10'), { reason: 'upstream' });
  t.like(got.find((p) => formatRange(p.range) === '192.0.2.99'), { reason: 'allowlist' });
});

test('resolvers, NTP and feed servers are protected with their own reason, in the guard and the allowlist alike', async (t) => {
  const { buildGuard, guardEntries } = await import('../../../firmware/src/blocklist/guard.js');
  const { guardFor, reasonText } = await import('../../../firmware/src/blocklist/protect.js');
  const { parseEntry } = await import('../../../firmware/src/net/ip.js');
  const config = ConfigSchema.parse({ mode: 'router', router: { dnsServers: ['192.0.2.60'] } });
  const plan: NetworkPlan = {
    mode: 'router', ifaces: { wan: 'eth0', lan: ['eth1'] }, bridgePorts: [], lanPrefixes: ['192.168.77.0/24'],
    boxAddresses: ['100.64.77.2'], gateways: ['100.64.77.1'], wanReason: '', problems: [],
  };
  const peers = { resolver: ['198.51.100.53'], ntp: ['192.0.2.123'], feed_host: ['192.0.2.53', '2001:db8:c0::53'] };
  const got = protectedList({ config, provisioning: null, plan, extraAllow: [], peers });
  const reason = (x: string): string | undefined => got.find((p) => formatRange(p.range) === x)?.reason;
  t.is(reason('192.0.2.60'), 'resolver', 'dnsmasq\'s upstream from the config');
  t.is(reason('198.51.100.53'), 'resolver');
  t.is(reason('192.0.2.123'), 'ntp');
  t.is(reason('192.0.2.53'), 'feed_host');
  t.is(reason('2001:db8:c0::53'), 'feed_host');
  // the ruleset's allowlist holds the same (the feature hands its peers over as extraAllow)
  const allowed = allowRanges({ config, provisioning: null, plan, extraAllow: ['198.51.100.53', '192.0.2.123', '192.0.2.53', '2001:db8:c0::53'] }).map(formatRange);
  for (const p of got) t.true(allowed.includes(formatRange(p.range)), formatRange(p.range));
  // a feed listing them: those lines are refused by reason, the rest loads; a /24 around the resolver is carved
  const r = guardEntries(['192.0.2.60', '192.0.2.53', '192.0.2.123', '203.0.113.10', '198.51.100.0/24'].map((e) => parseEntry(e)), guardFor({ config, provisioning: null, plan, extraAllow: [], peers }));
  t.deepEqual(r.rejected, { resolver: 1, feed_host: 1, ntp: 1 });
  t.deepEqual(r.carved, { resolver: 1 });
  t.true(r.accepted.map(formatRange).includes('203.0.113.10'));
  t.false(r.accepted.some((x) => formatRange(x) === '198.51.100.53'));
  t.regex(reasonText('resolver'), /DNS/);
  t.truthy(buildGuard);
});

test('GuardCache gives the last guard while nothing it protects changed, a new one as soon as anything did', async (t) => {
  const { GuardCache, guardFor } = await import('../../../firmware/src/blocklist/protect.js');
  const config = ConfigSchema.parse({ mode: 'router', allowlist: { local: ['203.0.113.200'] } });
  const plan: NetworkPlan = {
    mode: 'router', ifaces: { wan: 'eth0', lan: ['eth1'] }, bridgePorts: [], lanPrefixes: ['192.168.77.0/24'],
    boxAddresses: ['100.64.77.2'], gateways: ['100.64.77.1'], wanReason: '', problems: [],
  };
  const peers = { resolver: ['192.0.2.60'], ntp: ['192.0.2.123'], feed_host: ['198.51.100.80'] };
  const input = { config, provisioning: null, plan, extraAllow: ['192.0.2.99'], peers };
  const cache = new GuardCache();
  const first = cache.get(input);
  t.deepEqual(first, guardFor(input), 'the guard guardFor builds');
  // the same texts in new objects (a refresh reads them afresh): the very same guard
  t.is(cache.get({ ...input, plan: { ...plan }, extraAllow: ['192.0.2.99'], peers: { ...peers } }), first);
  const changes: Array<[string, Parameters<typeof guardFor>[0]]> = [
    ['a technician allow entry', { ...input, extraAllow: ['192.0.2.98'] }],
    ['a new resolver', { ...input, peers: { ...peers, resolver: ['192.0.2.61'] } }],
    ['a feed server', { ...input, peers: { ...peers, feed_host: [] } }],
    ['the box address', { ...input, plan: { ...plan, boxAddresses: ['100.64.77.3'] } }],
    ['the breadth limit', { ...input, config: ConfigSchema.parse({ mode: 'router', allowlist: { local: ['203.0.113.200'] }, feeds: { minPrefix: { v4: 16 } } }) }],
    ['the same text under another reason', { ...input, extraAllow: [], peers: { ...peers, ntp: ['192.0.2.123', '192.0.2.99'] } }],
  ];
  for (const [what, changed] of changes) {
    const g = cache.get(changed);
    t.not(g, first, what);
    t.deepEqual(g, guardFor(changed), what);
    t.is(cache.get(input), cache.get(input), 'and back');
  }
});
