// The DHCP server's range and gateway are read by net/ip's strict parser (issue 13).
import test from 'ava';
import fc from 'fast-check';
import { dhcpGateway } from '../../../firmware/src/devices/dhcpGateway.js';

test('the first IPv4 office prefix and the box address inside it', (t) => {
  t.deepEqual(dhcpGateway(['2001:db8:1::/64', '192.168.1.0/24', '10.0.0.0/8'], ['2001:db8:1::1', '10.0.0.1', '192.168.1.1']),
    { prefix: '192.168.1.0/24', gateway: '192.168.1.1' });
  t.deepEqual(dhcpGateway(['192.168.1.5/24'], ['192.168.1.1']), { prefix: '192.168.1.5/24', gateway: '192.168.1.1' }, 'host bits in the prefix are masked');
  t.is(dhcpGateway(['192.168.1.0/24'], ['192.168.2.1', '2001:db8::1']), undefined);
  t.is(dhcpGateway(['2001:db8:1::/64'], ['2001:db8:1::1']), undefined, 'IPv6 only: no DHCP range');
  t.is(dhcpGateway([], ['192.168.1.1']), undefined);
});

test('ambiguous or malformed box addresses are never the gateway (the dot-splitting reader took them)', (t) => {
  // The former sameV4Net read "07" as 7, " 1" as 1 and "x" as 0, so these matched their range.
  t.is(dhcpGateway(['192.168.1.0/24'], ['192.168.1.07']), undefined);
  t.is(dhcpGateway(['192.168.1.0/24'], ['192.168.1. 1']), undefined);
  t.is(dhcpGateway(['0.0.0.0/0'], ['x']), undefined);
  t.deepEqual(dhcpGateway(['192.168.1.0/24'], ['192.168.1.07', '192.168.1.254']), { prefix: '192.168.1.0/24', gateway: '192.168.1.254' });
});

test('property: a /24 serves exactly the box addresses that share its first three octets', (t) => {
  fc.assert(fc.property(fc.ipV4(), fc.ipV4(), (net, box) => {
    const prefix = `${net.split('.').slice(0, 3).join('.')}.0/24`;
    const same = net.split('.').slice(0, 3).join('.') === box.split('.').slice(0, 3).join('.');
    t.is(dhcpGateway([prefix], [box])?.gateway, same ? box : undefined);
  }), { numRuns: 2000 });
});
