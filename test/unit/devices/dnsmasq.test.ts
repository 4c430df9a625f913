import test from 'ava';
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { systemBin } from '../../../firmware/src/sys/bin.js';
import { run } from '../../../firmware/src/sys/run.js';
import { dhcpRange, DnsmasqConfigError, parseLeases, renderDnsmasqConfig, type DnsmasqPlan } from '../../../firmware/src/devices/dnsmasq.js';
import { roleNames } from '../../../firmware/src/devices/hostNames.js';

const HARDENING = {
  user: 'otasuke-dnsmasq', localDomain: 'lan', boxNames: ['otasuke'], roleNames: roleNames(['otasuke', 'box-dev-0002']),
  namesFile: '/var/lib/otasuke-utm/dnsmasq-names.hosts',
};
const base: DnsmasqPlan = { ifaces: ['eth1'], prefix: '192.168.77.0/24', gateway: '192.168.77.1', leaseFile: '/x/l', pidFile: '/x/p', ...HARDENING };

// Regenerate after an intended change with UPDATE_GOLDEN=1 and review the diff. README.md
// ("Router mode: DHCP and DNS") sets every line of this file beside OpenWrt's defaults.
test('the dnsmasq config renders the golden text', (t) => {
  const got = renderDnsmasqConfig({
    ...HARDENING, ifaces: ['eth1', 'eth2'], prefix: '192.168.77.0/24', gateway: '192.168.77.1',
    leaseFile: '/var/lib/otasuke-utm/dnsmasq/dnsmasq.leases', pidFile: '/var/lib/otasuke-utm/dnsmasq/dnsmasq.pid',
    rebindAllowed: ['Provider.Example.JP.'],
  });
  const file = new URL('../../fixtures/devices/dnsmasq.golden.conf', import.meta.url);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, got);
  t.is(got, readFileSync(file, 'utf8'));
});

test('the real dnsmasq accepts the golden config (dnsmasq --test)', async (t) => {
  const file = fileURLToPath(new URL('../../fixtures/devices/dnsmasq.golden.conf', import.meta.url));
  const r = await run([systemBin('dnsmasq'), '--test', `--conf-file=${file}`], { allowFailure: true });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr + r.stdout, /syntax check OK/);
});

test('the DHCP range is the upper half of the prefix, above the gateway, without the broadcast', (t) => {
  t.deepEqual(dhcpRange('192.168.77.0/24', '192.168.77.1'), { first: '192.168.77.128', last: '192.168.77.254', mask: '255.255.255.0' });
  t.deepEqual(dhcpRange('10.0.0.0/16', '10.0.200.1'), { first: '10.0.200.2', last: '10.0.255.254', mask: '255.255.0.0' });
  t.deepEqual(dhcpRange('192.168.1.0/29', '192.168.1.1'), { first: '192.168.1.4', last: '192.168.1.6', mask: '255.255.255.248' });
  t.throws(() => dhcpRange('192.168.1.0/30', '192.168.1.1'), { instanceOf: DnsmasqConfigError });
  t.throws(() => dhcpRange('2001:db8::/64', '2001:db8::1'), { instanceOf: DnsmasqConfigError });
});

test('values that could inject config lines are refused', (t) => {
  t.throws(() => renderDnsmasqConfig({ ...base, ifaces: ['eth1\ndhcp-script=/bin/sh'] }), { instanceOf: DnsmasqConfigError });
  t.throws(() => renderDnsmasqConfig({ ...base, leaseFile: '/x/l\nuser=nobody' }), { instanceOf: DnsmasqConfigError });
  t.throws(() => renderDnsmasqConfig({ ...base, gateway: '192.168.77.1\nport=53' }), { instanceOf: DnsmasqConfigError });
  t.throws(() => renderDnsmasqConfig({ ...base, dnsServers: ['9.9.9.9\nuser=nobody'] }), { instanceOf: DnsmasqConfigError });
  // Read by net/ip's strict parser (issue 13), as the config's IpAddress does: node:net's isIP took these.
  for (const d of ['fe80::1%eth0', '::ffff:192.0.2.1']) t.throws(() => renderDnsmasqConfig({ ...base, dnsServers: [d] }), { instanceOf: DnsmasqConfigError }, d);
  t.throws(() => renderDnsmasqConfig({ ...base, user: 'root\nuser=root' }), { instanceOf: DnsmasqConfigError });
  t.throws(() => renderDnsmasqConfig({ ...base, localDomain: 'lan/\nserver=/x' }), { instanceOf: DnsmasqConfigError });
  t.throws(() => renderDnsmasqConfig({ ...base, boxNames: ['box,192.0.2.1'] }), { instanceOf: DnsmasqConfigError });
  t.throws(() => renderDnsmasqConfig({ ...base, roleNames: ['wpad\ndhcp-script=/bin/sh'] }), { instanceOf: DnsmasqConfigError });
  t.throws(() => renderDnsmasqConfig({ ...base, rebindAllowed: ['a/b'] }), { instanceOf: DnsmasqConfigError });
  t.throws(() => renderDnsmasqConfig({ ...base, namesFile: '/x/n,ignore' }), { instanceOf: DnsmasqConfigError });
});

test('dnsmasq never runs as root, and rebinding is refused except for listed domains', (t) => {
  const conf = renderDnsmasqConfig(base);
  t.regex(conf, /^user=otasuke-dnsmasq\ngroup=otasuke-dnsmasq$/m);
  t.notRegex(conf, /^user=root$/m);
  for (const line of ['stop-dns-rebind', 'rebind-localhost-ok', 'bogus-priv', 'domain-needed']) t.regex(conf, new RegExp(`^${line}$`, 'm'));
  t.notRegex(conf, /^rebind-domain-ok/m, 'no exception unless configured');
  t.regex(renderDnsmasqConfig({ ...base, rebindAllowed: ['nas.provider.example', 'lab.example'] }), /^rebind-domain-ok=\/nas\.provider\.example\/lab\.example\/$/m);
});

test('names live under the local domain; special-use domains and role names stay local', (t) => {
  const conf = renderDnsmasqConfig({ ...base, localDomain: 'Office.Internal' });
  t.regex(conf, /^domain=office\.internal\nlocal=\/office\.internal\/\nexpand-hosts$/m);
  t.regex(conf, /^host-record=otasuke,otasuke\.office\.internal,192\.168\.77\.1$/m);
  for (const d of ['invalid', 'local', 'test', 'onion', 'home.arpa']) t.regex(conf, new RegExp(`^local=/${d.replace('.', '\\.')}/$`, 'm'));
  t.regex(conf, /^address=\/localhost\/127\.0\.0\.1$/m);
  for (const n of ['wpad', 'isatap', 'localhost', 'otasuke', 'box-dev-0002']) {
    t.regex(conf, new RegExp(`^dhcp-name-match=set:refused_name,${n}\n`, 'm'), n);
    t.regex(conf, new RegExp(`^dhcp-name-match=set:refused_name,${n}\\.\\*$`, 'm'), `${n}.*`);
  }
  t.regex(conf, /^dhcp-ignore-names=tag:refused_name$/m);
  t.notRegex(conf, /^(enable-ra|dhcp-range=.*:)/m, 'no IPv6 offered');
});

test('the office gets the box as its DNS server; configured resolvers replace resolv.conf', (t) => {
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
