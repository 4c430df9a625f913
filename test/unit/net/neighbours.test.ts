import test from 'ava';
import fc from 'fast-check';
import { parseFdb, parseMacIpSet, parseNeighbours } from '../../../firmware/src/net/neighbours.js';

test('neighbours: live v4 and v6 entries on the LAN side; dead, multicast and other interfaces skipped', (t) => {
  const text = JSON.stringify([
    { dst: '192.168.77.101', dev: 'br0', lladdr: '00:14:22:10:20:30', state: ['REACHABLE'] },
    { dst: '192.168.77.102', dev: 'br0', lladdr: '26:AA:bb:cc:dd:ee', state: ['STALE'] },
    { dst: '2001:DB8:77::101', dev: 'br0', lladdr: '00:14:22:10:20:30', state: ['STALE'] },
    { dst: 'fe80::1', dev: 'br0', lladdr: '00:14:22:10:20:30', state: ['STALE'] },
    { dst: '192.168.77.103', dev: 'br0', state: ['FAILED'] },
    { dst: '192.168.77.104', dev: 'br0', lladdr: '00:14:22:10:20:34', state: ['INCOMPLETE'] },
    { dst: '192.168.77.105', dev: 'br0', lladdr: '01:00:5e:00:00:01', state: ['REACHABLE'] },
    { dst: '100.64.77.1', dev: 'eth0', lladdr: '00:14:22:99:99:99', state: ['REACHABLE'] },
    { nonsense: true },
  ]);
  const r = parseNeighbours(text, ['br0']);
  t.deepEqual(r.sightings, [
    { mac: '00:14:22:10:20:30', ipv4: '192.168.77.101', dev: 'br0' },
    { mac: '26:aa:bb:cc:dd:ee', ipv4: '192.168.77.102', dev: 'br0' },
    { mac: '00:14:22:10:20:30', ipv6: '2001:db8:77::101', dev: 'br0' },
    { mac: '00:14:22:10:20:30', dev: 'br0' },
  ]);
  t.is(r.skipped, 5);
  t.deepEqual(parseNeighbours('not json'), { sightings: [], skipped: 1 });
});

test('fdb: learned stations on LAN ports of our bridge only', (t) => {
  const text = JSON.stringify([
    { mac: '00:14:22:10:20:30', ifname: 'eth1', master: 'br0', state: '' },
    { mac: '02:fc:00:00:00:05', ifname: 'eth0', master: 'br0', state: '' },
    { mac: '33:33:00:00:00:01', ifname: 'eth1', flags: ['self'], state: 'permanent' },
    { mac: '00:14:22:00:00:01', ifname: 'eth1', master: 'br0', state: 'permanent' },
    { mac: '00:14:22:00:00:02', ifname: 'eth1', master: 'br9', state: '' },
  ]);
  const r = parseFdb(text, 'br0', ['eth1']);
  t.deepEqual(r.sightings, [{ mac: '00:14:22:10:20:30', dev: 'eth1' }]);
  t.is(r.skipped, 4);
});

test('nft set: elements with and without expiry; bad elements counted', (t) => {
  const doc = { nftables: [{ metainfo: { version: '1.0.6' } }, { set: { family: 'bridge', name: 'lan_seen', table: 'utm', type: ['ether_addr', 'ipv4_addr'], elem: [
    { elem: { val: { concat: ['02:00:00:00:00:01', '192.168.77.5'] }, expires: 3599 } },
    { concat: ['00:14:22:10:20:30', '192.168.77.101'] },
    { concat: ['00:14:22:10:20:30', '0.0.0.0'] },
    { concat: ['ff:ff:ff:ff:ff:ff', '192.168.77.255'] },
    { concat: ['zz', '192.168.77.1'] },
    'junk',
  ] } }] };
  const r = parseMacIpSet(JSON.stringify(doc));
  t.deepEqual(r.sightings, [{ mac: '02:00:00:00:00:01', ipv4: '192.168.77.5' }, { mac: '00:14:22:10:20:30', ipv4: '192.168.77.101' }]);
  t.is(r.skipped, 4);
  t.deepEqual(parseMacIpSet('{'), { sightings: [], skipped: 1 });
  t.deepEqual(parseMacIpSet(JSON.stringify({ nftables: [] })).sightings, []);
});

test('nft set lan_seen6: (MAC, IPv6) pairs read as IPv6 sightings; the unspecified address and bad ones counted', (t) => {
  const doc = { nftables: [{ set: { family: 'inet', name: 'lan_seen6', table: 'utm', type: ['ether_addr', 'ipv6_addr'], elem: [
    { elem: { val: { concat: ['02:00:00:00:00:01', '2001:db8:77::5'] }, expires: 3599 } },
    { concat: ['02:00:00:00:00:01', '2001:db8:77:0:a0b:c0d:e0f:1'] },
    { concat: ['02:00:00:00:00:02', '::'] },
    { concat: ['02:00:00:00:00:02', '2001:db8:77::zz'] },
  ] } }] };
  const r = parseMacIpSet(JSON.stringify(doc));
  t.deepEqual(r.sightings, [{ mac: '02:00:00:00:00:01', ipv6: '2001:db8:77::5' }, { mac: '02:00:00:00:00:01', ipv6: '2001:db8:77:0:a0b:c0d:e0f:1' }]);
  t.is(r.skipped, 2);
});

test('property: the table parsers never throw on arbitrary JSON', (t) => {
  fc.assert(fc.property(fc.json(), (j) => {
    parseNeighbours(j); parseFdb(j, 'br0', ['eth1']); parseMacIpSet(j);
    parseMacIpSet(JSON.stringify({ nftables: [{ set: { elem: JSON.parse(j) as unknown } }] }));
    return true;
  }));
  t.pass();
});
