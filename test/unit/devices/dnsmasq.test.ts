import test from 'ava';
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { dhcpRange, DnsmasqConfigError, parseLeases, renderDnsmasqConfig } from '../../../firmware/src/devices/dnsmasq.js';

// Regenerate after an intended change with UPDATE_GOLDEN=1 and review the diff.
test('the dnsmasq config renders the golden text', (t) => {
  const got = renderDnsmasqConfig({ ifaces: ['eth1', 'eth2'], prefix: '192.168.77.0/24', gateway: '192.168.77.1', leaseFile: '/var/lib/otasuke-utm/dnsmasq.leases', pidFile: '/var/lib/otasuke-utm/dnsmasq.pid' });
  const file = new URL('../../fixtures/devices/dnsmasq.golden.conf', import.meta.url);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, got);
  t.is(got, readFileSync(file, 'utf8'));
});

test('the DHCP range is the upper half of the prefix, above the gateway, without the broadcast', (t) => {
  t.deepEqual(dhcpRange('192.168.77.0/24', '192.168.77.1'), { first: '192.168.77.128', last: '192.168.77.254', mask: '255.255.255.0' });
  t.deepEqual(dhcpRange('10.0.0.0/16', '10.0.200.1'), { first: '10.0.200.2', last: '10.0.255.254', mask: '255.255.0.0' });
  t.deepEqual(dhcpRange('192.168.1.0/29', '192.168.1.1'), { first: '192.168.1.4', last: '192.168.1.6', mask: '255.255.255.248' });
  t.throws(() => dhcpRange('192.168.1.0/30', '192.168.1.1'), { instanceOf: DnsmasqConfigError });
  t.throws(() => dhcpRange('2001:db8::/64', '2001:db8::1'), { instanceOf: DnsmasqConfigError });
});

test('values that could inject config lines are refused', (t) => {
  const base = { ifaces: ['eth1'], prefix: '192.168.77.0/24', gateway: '192.168.77.1', leaseFile: '/x/l', pidFile: '/x/p' };
  t.throws(() => renderDnsmasqConfig({ ...base, ifaces: ['eth1\ndhcp-script=/bin/sh'] }), { instanceOf: DnsmasqConfigError });
  t.throws(() => renderDnsmasqConfig({ ...base, leaseFile: '/x/l\nuser=nobody' }), { instanceOf: DnsmasqConfigError });
  t.throws(() => renderDnsmasqConfig({ ...base, gateway: '192.168.77.1\nport=53' }), { instanceOf: DnsmasqConfigError });
  t.throws(() => renderDnsmasqConfig({ ...base, dnsServers: ['9.9.9.9\nuser=nobody'] }), { instanceOf: DnsmasqConfigError });
});

test('the office gets the box as its DNS server; configured resolvers replace resolv.conf', (t) => {
  const base = { ifaces: ['eth1'], prefix: '192.168.77.0/24', gateway: '192.168.77.1', leaseFile: '/x/l', pidFile: '/x/p' };
  const plain = renderDnsmasqConfig(base);
  t.regex(plain, /^dhcp-option=option:dns-server,192\.168\.77\.1$/m);
  t.notRegex(plain, /^port=0$/m, 'DNS is served');
  t.notRegex(plain, /^no-resolv$/m);
  const pinned = renderDnsmasqConfig({ ...base, dnsServers: ['198.51.100.53', '2001:db8::53'] });
  t.regex(pinned, /^no-resolv\nserver=198\.51\.100\.53\nserver=2001:db8::53$/m);
});

test('lease lines become leases; none, infinite and client ids are handled', (t) => {
  const text = [
    '1764200000 26:aa:bb:cc:dd:ee 192.168.77.150 Hanakos-iPhone 01:26:aa:bb:cc:dd:ee',
    '0 00:14:22:10:20:30 192.168.77.151 * *',
    'duid 00:01:00:01:2c:5e:11:22:33:44:55:66',
    '1764200000 not-a-mac 192.168.77.152 x *',
    '1764200000 00:14:22:10:20:31 999.1.1.1 x *',
    '',
  ].join('\n');
  const r = parseLeases(text);
  t.is(r.skipped, 3);
  t.deepEqual(r.leases, [
    { expires: 1_764_200_000_000, mac: '26:aa:bb:cc:dd:ee', ipv4: '192.168.77.150', hostname: 'Hanakos-iPhone', clientId: '0126aabbccddee' },
    { expires: 0, mac: '00:14:22:10:20:30', ipv4: '192.168.77.151', hostname: null, clientId: null },
  ]);
});

test('hostile lease hostnames are kept raw but length-limited', (t) => {
  const r = parseLeases(`1 00:14:22:10:20:30 192.168.77.9 ${'<img/src=x>'.repeat(20)} *\n`);
  t.is(r.leases[0]?.hostname?.length, 64);
});

test('property: the lease parser never throws and only returns normalised MACs and IPv4', (t) => {
  fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => {
    const r = parseLeases(s);
    return r.leases.every((l) => /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(l.mac) && /^\d+\.\d+\.\d+\.\d+$/.test(l.ipv4));
  }));
  t.pass();
});
