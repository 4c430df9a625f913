import test from 'ava';
import { allowedHosts, parseDomains } from '../../../firmware/src/web/hostNames.js';

test('allowed hosts follow the current addresses, the DHCP host name and its domains', (t) => {
  const a = allowedHosts({ addresses: ['192.168.1.2', '2001:DB8::2'], hostname: 'Otasuke-0001', domains: ['fritz.box'] });
  t.deepEqual(a.sort(), ['127.0.0.1', '192.168.1.2', '2001:db8::2', '::1', 'localhost', 'otasuke-0001', 'otasuke-0001.fritz.box'].sort());
  const later = allowedHosts({ addresses: ['192.168.1.77'], hostname: 'otasuke-0001', domains: [] });
  t.true(later.includes('192.168.1.77'), 'a new address is allowed at once');
  t.false(later.includes('192.168.1.2'), 'an old address is not');
});

test('router mode adds the name the box serves itself; junk is skipped', (t) => {
  const a = allowedHosts({ addresses: ['not an address', '10.0.0.1'], hostname: 'bad name!', domains: ['x..y'], boxName: 'Otasuke', localDomain: 'lan' });
  t.true(a.includes('otasuke'));
  t.true(a.includes('otasuke.lan'));
  t.true(a.includes('10.0.0.1'));
  t.false(a.some((h) => h.includes('!') || h.includes('..') || h.includes(' ')));
});

test('domains are read from resolv.conf, networkd and dhclient leases', (t) => {
  t.deepEqual(parseDomains('# comment\nnameserver 192.0.2.1\nsearch office.example lan\n'), ['office.example', 'lan']);
  t.deepEqual(parseDomains('ADDRESS=192.168.1.2\nDOMAINNAME=fritz.box\n'), ['fritz.box']);
  t.deepEqual(parseDomains('lease {\n  option domain-name "home.arpa";\n}\n'), ['home.arpa']);
  t.deepEqual(parseDomains('search evil_domain ok.example\n'), ['ok.example']);
});
