// Which open connections end when the lists change: peers a dropping group lists and the
// allowlist does not protect, and the addresses of quarantined devices.
import test from 'ava';
import { connectionPeers, listedPeers, quarantinedAddresses } from '../../../firmware/src/conntrack/cut.js';
import type { Policy } from '../../../firmware/src/nft/policy.js';

const line = (src: string, dst: string): string =>
  `ipv4     2 tcp      6 431998 ESTABLISHED src=${src} dst=${dst} sport=60636 dport=443 packets=3 bytes=167 src=${dst} dst=${src} sport=443 dport=60636 packets=2 bytes=112 [ASSURED] mark=0 delta-time=20 use=1 id=1`;
const line6 = (src: string, dst: string): string =>
  `ipv6     10 udp      17 29 src=${src} dst=${dst} sport=5000 dport=53 packets=1 bytes=80 src=${dst} dst=${src} sport=53 dport=5000 packets=1 bytes=120 mark=0 delta-time=1 use=1 id=2`;

function policy(over: Partial<Policy> = {}): Policy {
  return {
    mode: 'router', ifaces: { wan: 'eth0', lan: ['eth1'] }, uiPort: 80, nflogGroup: 1, quarantine: [],
    allow: { v4: [{ prefix: { addr: '192.168.77.0', len: 24 } }, '203.0.113.9'], v6: [] },
    blocklists: [
      { id: 'local', direction: 'both', action: 'drop', v4: { single: ['198.51.100.7'], net: [{ prefix: { addr: '203.0.113.0', len: 24 } }] }, v6: { single: [], net: [{ prefix: { addr: '2001:db8:66::', len: 48 } }] } },
      { id: 'manual', direction: 'both', action: 'drop', timeouts: true, v4: { single: [{ elem: { val: '192.0.2.44', timeout: 3600 } }], net: [{ range: ['192.0.2.100', '192.0.2.110'] }] }, v6: { single: [], net: [] } },
      { id: 'watch', direction: 'outbound', action: 'watch', v4: { single: ['192.0.2.200'], net: [] }, v6: { single: [], net: [] } },
    ],
    ...over,
  } as Policy;
}

test('the peers of a listing are its connections\' addresses, normalised, once each', (t) => {
  const peers = connectionPeers([line('192.168.77.9', '198.51.100.7'), line('192.168.77.9', '192.0.2.1'), line6('2001:DB8:77::9', '2001:db8:66:0::1'), 'junk'].join('\n'));
  t.deepEqual(peers.sort(), ['192.0.2.1', '192.168.77.9', '198.51.100.7', '2001:db8:66::1', '2001:db8:77::9']);
});

test('listed peers: singles, prefixes, ranges and timed elements of dropping groups; never allowlisted or watch-only', (t) => {
  const got = listedPeers(policy(), ['198.51.100.7', '203.0.113.50', '203.0.113.9', '192.0.2.44', '192.0.2.105', '192.0.2.111', '192.0.2.200', '192.168.77.9', '2001:db8:66::1', 'nonsense']);
  t.deepEqual(got.sort(), ['192.0.2.105', '192.0.2.44', '198.51.100.7', '2001:db8:66::1', '203.0.113.50']);
  t.deepEqual(listedPeers(policy(), []), []);
});

test('quarantined devices: every address the kernel has seen for their MACs', (t) => {
  const got = quarantinedAddresses(['02:00:00:00:aa:01'], [
    { mac: '02:00:00:00:aa:01', ipv4: '192.168.77.50' },
    { mac: '02:00:00:00:aa:01', ipv6: '2001:db8:77::50' },
    { mac: '02:00:00:00:aa:02', ipv4: '192.168.77.51' },
    { mac: '02:00:00:00:aa:01' },
  ]);
  t.deepEqual(got.sort(), ['192.168.77.50', '2001:db8:77::50']);
});

test('a masked hash set lists whole prefixes: a peer inside a listed /24 is cut, one beside it is not', (t) => {
  const p = policy({ blocklists: [{
    id: 'feeds', direction: 'both', action: 'drop',
    v4: { single: [], net: [], masked: [{ len: 24, elems: ['198.51.100.0'] }] },
    v6: { single: [], net: [], masked: [{ len: 48, elems: ['2001:db8:66::'] }] },
  }] });
  t.deepEqual(listedPeers(p, ['198.51.100.200', '198.51.101.1', '2001:db8:66:ffff::1', '2001:db8:67::1']).sort(), ['198.51.100.200', '2001:db8:66:ffff::1']);
});
