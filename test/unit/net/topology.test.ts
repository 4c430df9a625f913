import test from 'ava';
import { ethernetPorts, prefixesOn } from '../../../firmware/src/net/topology.js';
import { planNetwork } from '../../../firmware/src/policy/network.js';
import { ConfigSchema } from '../../../firmware/src/config/schema.js';

const links = [
  { name: 'lo', linkType: 'loopback' },
  { name: 'eth1', linkType: 'ether' },
  { name: 'eth0', linkType: 'ether' },
  { name: 'br0', linkType: 'ether', kind: 'bridge' },
  { name: 'dummy0', linkType: 'ether', kind: 'dummy' },
  { name: 'wlan0', linkType: 'ether', wireless: true },
];
const facts = {
  links,
  addrs: [
    { ifname: 'br0', family: 4 as const, local: '192.168.77.2', prefixLen: 24, scope: 'global' },
    { ifname: 'br0', family: 6 as const, local: 'fe80::1', prefixLen: 64, scope: 'link' },
  ],
  defaultGateways: ['192.168.77.1'],
  neighbours: [{ ip: '192.168.77.1', mac: '02:00:00:00:00:01' }],
  fdb: [{ mac: '02:00:00:00:00:01', port: 'eth1' }],
};

test('Ethernet ports exclude loopback, bridges, dummies and Wi-Fi, sorted', (t) => {
  t.deepEqual(ethernetPorts(links), ['eth0', 'eth1']);
});

test('zero config: two ports → bridge mode, office prefix from the bridge', (t) => {
  const plan = planNetwork(ConfigSchema.parse({}), facts);
  t.is(plan.mode, 'bridge');
  t.deepEqual(plan.ifaces, { wan: 'eth1', lan: ['eth0'], bridge: 'br0' });
  t.deepEqual(plan.lanPrefixes, ['192.168.77.0/24']);
  t.deepEqual(plan.problems, []);
  t.true(plan.portsProven);
  t.deepEqual(plan.servedPorts, ['eth0']);
  t.deepEqual(prefixesOn(facts.addrs, ['br0']), ['192.168.77.0/24'], 'link-local is not an office prefix');
});

test('one port only is reported, not fatal', (t) => {
  const plan = planNetwork(ConfigSchema.parse({}), { ...facts, links: links.filter((l) => l.name !== 'eth1') });
  t.true(plan.problems.some((p) => p.includes('two')));
});

const routerFacts = {
  links, addrs: [], defaultGateways: ['100.64.77.1'], fdb: [],
  neighbours: [{ ip: '100.64.77.1', mac: '02:00:00:00:00:01', dev: 'eth0' }],
};

test('router mode when told, with configured interfaces the evidence confirms', (t) => {
  const plan = planNetwork(ConfigSchema.parse({ mode: 'router', interfaces: { wan: 'eth0', lan: ['eth1'] } }), routerFacts);
  t.is(plan.mode, 'router');
  t.deepEqual(plan.ifaces, { wan: 'eth0', lan: ['eth1'] });
  t.deepEqual(plan.bridgePorts, []);
  t.true(plan.portsProven);
  t.deepEqual(plan.servedPorts, ['eth1']);
});

test('router mode: the gateway behind the configured LAN port → forward by the evidence, serve nothing', (t) => {
  const swapped = { ...routerFacts, neighbours: [{ ip: '100.64.77.1', mac: '02:00:00:00:00:01', dev: 'eth1' }] };
  const plan = planNetwork(ConfigSchema.parse({ mode: 'router', interfaces: { wan: 'eth0', lan: ['eth1'] } }), swapped);
  t.deepEqual(plan.ifaces, { wan: 'eth1', lan: ['eth0'] });
  t.false(plan.portsProven);
  t.deepEqual(plan.servedPorts, []);
});

test('router mode, no config, nothing seen yet: first port by name, but nothing served', (t) => {
  const plan = planNetwork(ConfigSchema.parse({ mode: 'router' }), { ...routerFacts, neighbours: [] });
  t.deepEqual(plan.ifaces, { wan: 'eth0', lan: ['eth1'] });
  t.false(plan.portsProven);
  t.deepEqual(plan.servedPorts, []);
  t.is(plan.wanReason, 'first-port');
});

test('bridge mode: a configured port that does not exist is left out of the bridge', (t) => {
  const plan = planNetwork(ConfigSchema.parse({ interfaces: { wan: 'eth9' } }), facts);
  t.deepEqual(plan.bridgePorts, ['eth0', 'eth1']);
  t.is(plan.ifaces.wan, 'eth1', 'the evidence still finds the router');
});
