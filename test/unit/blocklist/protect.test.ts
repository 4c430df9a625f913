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
