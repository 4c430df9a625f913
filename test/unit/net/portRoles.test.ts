import test from 'ava';
import { describePortProblems, workOutPorts, type PortSighting, type PortState } from '../../../firmware/src/net/portRoles.js';
import { tableSightings } from '../../../firmware/src/policy/network.js';
import { dhcpSighting } from '../../../firmware/src/ports/portWatch.js';

const NOW = 1_000_000;
const up = (name: string, changedAt = 0): PortState => ({ name, carrier: true, changedAt });
const two = [up('eth0'), up('eth1')];
const saw = (port: string, kind: PortSighting['kind'], at = NOW): PortSighting => ({ port, kind, at });

test('nothing seen: unproven, nothing served, WAN guessed as the first port', (t) => {
  const r = workOutPorts({ ports: two, sightings: [], now: NOW });
  t.false(r.proven);
  t.deepEqual(r.served, []);
  t.is(r.wan, 'eth0');
  t.is(r.wanBy, 'first-port');
  t.deepEqual(r.problems, [{ code: 'no-evidence' }]);
  t.regex(describePortProblems(r), /not yet worked out/);
});

for (const [port, other] of [['eth0', 'eth1'], ['eth1', 'eth0']] as const) {
  for (const kind of ['gateway', 'router', 'dhcp-server'] as const) {
    test(`${kind} seen on ${port}: ${port} is the WAN, ${other} the office`, (t) => {
      const r = workOutPorts({ ports: two, sightings: [saw(port, kind)], now: NOW });
      t.true(r.proven);
      t.is(r.wan, port);
      t.deepEqual(r.lan, [other]);
      t.deepEqual(r.served, [other]);
      t.is(r.wanBy, 'evidence');
      t.deepEqual(r.problems, []);
    });
  }
}

test('office DHCP clients alone prove nothing (the ISP side may have clients too)', (t) => {
  const r = workOutPorts({ ports: two, sightings: [saw('eth1', 'dhcp-client')], now: NOW });
  t.false(r.proven);
  t.deepEqual(r.served, []);
  t.deepEqual(r.seen, { eth1: ['dhcp-client'] });
});

test('clients on the WAN side do not contradict it', (t) => {
  const r = workOutPorts({ ports: two, sightings: [saw('eth0', 'gateway'), saw('eth0', 'dhcp-client'), saw('eth1', 'dhcp-client')], now: NOW });
  t.true(r.proven);
  t.deepEqual(r.served, ['eth1']);
});

test('upstream seen on two ports: a contradiction, nothing served', (t) => {
  const r = workOutPorts({ ports: two, sightings: [saw('eth0', 'gateway'), saw('eth1', 'dhcp-server')], now: NOW });
  t.false(r.proven);
  t.deepEqual(r.served, []);
  t.deepEqual(r.problems, [{ code: 'two-upstreams', ports: ['eth0', 'eth1'] }]);
});

test('configured WAN confirmed by the evidence', (t) => {
  const r = workOutPorts({ ports: two, sightings: [saw('eth0', 'gateway')], now: NOW }, { wan: 'eth0', lan: ['eth1'] });
  t.true(r.proven);
  t.deepEqual(r.served, ['eth1']);
});

test('configured WAN contradicted: forward by the evidence, serve nothing, say so', (t) => {
  const r = workOutPorts({ ports: two, sightings: [saw('eth1', 'gateway')], now: NOW }, { wan: 'eth0', lan: ['eth1'] });
  t.false(r.proven);
  t.is(r.wan, 'eth1');
  t.deepEqual(r.lan, ['eth0']);
  t.deepEqual(r.served, []);
  t.deepEqual(r.problems, [
    { code: 'contradicts', port: 'eth0', role: 'wan', seenWan: 'eth1' },
    { code: 'contradicts', port: 'eth1', role: 'lan', seenWan: 'eth1' },
  ]);
  t.regex(describePortProblems(r), /configured WAN port eth0 shows no router, but port eth1 does/);
});

test('configured WAN that does not exist: a problem even when the evidence proves the rest', (t) => {
  const r = workOutPorts({ ports: two, sightings: [saw('eth0', 'gateway')], now: NOW }, { wan: 'eth9' });
  t.true(r.proven);
  t.deepEqual(r.served, ['eth1']);
  t.deepEqual(r.problems, [{ code: 'missing', port: 'eth9', role: 'wan' }]);
  t.regex(describePortProblems(r), /eth9 does not exist/);
});

test('configured WAN that does not exist, nothing seen: unproven, nothing served', (t) => {
  const r = workOutPorts({ ports: two, sightings: [], now: NOW }, { wan: 'eth9', lan: ['eth1'] });
  t.false(r.proven);
  t.deepEqual(r.served, []);
  t.is(r.wan, 'eth0');
  t.deepEqual(r.lan, ['eth1']);
});

test('evidence from before a link change, on a port without carrier, or too old no longer counts', (t) => {
  t.false(workOutPorts({ ports: [up('eth0', NOW - 10), up('eth1')], sightings: [saw('eth0', 'dhcp-server', NOW - 20)], now: NOW }).proven);
  t.false(workOutPorts({ ports: [{ name: 'eth0', carrier: false, changedAt: 0 }, up('eth1')], sightings: [saw('eth0', 'gateway')], now: NOW }).proven);
  t.false(workOutPorts({ ports: two, sightings: [saw('eth0', 'dhcp-server', NOW - 3_600_000)], now: NOW }).proven);
  t.true(workOutPorts({ ports: two, sightings: [saw('eth0', 'dhcp-server', NOW - 60_000)], now: NOW }).proven);
});

test('evidence on a port that is not a candidate is ignored', (t) => {
  const r = workOutPorts({ ports: two, sightings: [saw('wlan0', 'gateway')], now: NOW });
  t.false(r.proven);
});

test('three ports: the two that are not upstream are both the office', (t) => {
  const r = workOutPorts({ ports: [...two, up('eth2')], sightings: [saw('eth1', 'router')], now: NOW });
  t.deepEqual(r.served, ['eth0', 'eth2']);
});

test('no ports at all', (t) => {
  const r = workOutPorts({ ports: [], sightings: [], now: NOW });
  t.false(r.proven);
  t.is(r.wan, null);
  t.deepEqual(r.problems, [{ code: 'no-ports' }]);
});

const links = [
  { name: 'eth0', linkType: 'ether', mac: '02:aa:00:00:00:00' },
  { name: 'eth1', linkType: 'ether', mac: '02:aa:00:00:00:01' },
  { name: 'br0', linkType: 'ether', kind: 'bridge', mac: '02:aa:00:00:00:00' },
];

test('tables: the gateway found through the bridge FDB (bridge mode)', (t) => {
  const s = tableSightings({
    links, addrs: [], defaultGateways: ['192.168.77.1', 'fe80::1'],
    neighbours: [{ ip: '192.168.77.1', mac: '02:00:00:00:00:01', dev: 'br0' }, { ip: 'fe80::1', mac: '02:00:00:00:00:01', dev: 'br0', router: true }],
    fdb: [{ mac: '02:00:00:00:00:01', port: 'eth1' }],
  }, ['eth0', 'eth1'], NOW);
  t.deepEqual(s.map((x) => [x.port, x.kind]), [['eth1', 'gateway'], ['eth1', 'gateway'], ['eth1', 'router']]);
});

test('tables: the gateway found through the neighbour entry\'s device (router mode); own MACs and unknown MACs never count', (t) => {
  const s = tableSightings({
    links, addrs: [], defaultGateways: ['100.64.77.1'],
    neighbours: [
      { ip: '100.64.77.1', mac: '02:00:00:00:00:01', dev: 'eth1' },
      { ip: '192.168.77.50', mac: '02:aa:00:00:00:00', dev: 'eth0', router: true },
      { ip: '2001:db8::9', mac: '02:00:00:00:00:09', dev: 'br0', router: true },
    ],
    fdb: [],
  }, ['eth0', 'eth1'], NOW);
  t.deepEqual(s.map((x) => [x.port, x.kind]), [['eth1', 'gateway']]);
});

const frame = (srcPort: number, dstPort: number, srcMac = '02:00:00:00:00:07') => ({
  at: NOW, srcMac, srcIp: '192.168.77.1', dstIp: '255.255.255.255', srcPort, dstPort, vlan: null, payload: new Uint8Array(0),
});

test('DHCP frames: server replies and client requests, never the box\'s own or relays', (t) => {
  const own = new Set(['02:aa:00:00:00:00']);
  t.like(dhcpSighting(frame(67, 68), 'eth0', own), { port: 'eth0', kind: 'dhcp-server' });
  t.like(dhcpSighting(frame(68, 67), 'eth1', own), { port: 'eth1', kind: 'dhcp-client' });
  t.is(dhcpSighting(frame(67, 67), 'eth1', own), null);
  t.is(dhcpSighting(frame(67, 68, '02:AA:00:00:00:00'), 'eth1', own), null);
});

test('a proven WAN whose evidence went quiet stays proven while its link is unchanged', (t) => {
  const remembered = { wan: 'eth1', at: NOW - 1000 };
  const quiet = workOutPorts({ ports: two, sightings: [], now: NOW, remembered });
  t.true(quiet.proven);
  t.is(quiet.wanBy, 'remembered');
  t.deepEqual(quiet.served, ['eth0']);
  t.regex(describePortProblems(quiet), /seen before, link unchanged since/);
  t.false(workOutPorts({ ports: [up('eth0'), up('eth1', NOW - 10)], sightings: [], now: NOW, remembered }).proven, 'its link changed since');
  t.false(workOutPorts({ ports: [up('eth0'), { name: 'eth1', carrier: false, changedAt: 0 }], sightings: [], now: NOW, remembered }).proven, 'no carrier');
  const moved = workOutPorts({ ports: two, sightings: [saw('eth0', 'gateway')], now: NOW, remembered });
  t.is(moved.wan, 'eth0', 'fresh evidence wins over memory');
  t.is(moved.wanBy, 'evidence');
  t.false(workOutPorts({ ports: two, sightings: [], now: NOW, remembered }, { wan: 'eth0' }).proven, 'memory contradicting the config is a contradiction');
});
