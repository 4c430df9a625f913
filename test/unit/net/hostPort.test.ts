import test from 'ava';
import { hostPort, urlHost } from '../../../firmware/src/net/hostOrAddress.js';
import { addressFamily } from '../../../firmware/src/net/ip.js';

test('hostPort and urlHost bracket IPv6 literals only', (t) => {
  t.is(hostPort('2001:db8::1', 443), '[2001:db8::1]:443');
  t.is(hostPort('192.0.2.1', 443), '192.0.2.1:443');
  t.is(hostPort('box.lan', 80), 'box.lan:80');
  t.is(urlHost('::1'), '[::1]');
  t.is(urlHost('box.lan'), 'box.lan');
});

test('addressFamily is the strict parser\'s family, null for anything else', (t) => {
  t.is(addressFamily('192.0.2.1'), 4);
  t.is(addressFamily('2001:db8::1'), 6);
  t.is(addressFamily('010.0.0.1'), null);
  t.is(addressFamily('fe80::1%eth0'), null);
  t.is(addressFamily('box.lan'), null);
});
