import test from 'ava';
import { CONTENT_SECURITY_POLICY } from '../../../webui/src/security.js';
import { hostOfHostHeader as hostOnly } from '../../../firmware/src/net/hostOrAddress.js';

test('hostOnly strips the port from names, IPv4 and bracketed IPv6', (t) => {
  t.is(hostOnly('Box.LAN:8080'), 'box.lan');
  t.is(hostOnly('192.168.1.1'), '192.168.1.1');
  t.is(hostOnly('[::1]:8080'), '::1');
  t.is(hostOnly('[fe80::1]'), 'fe80::1');
  t.is(hostOnly('[broken'), '');
  t.is(hostOnly(undefined), '');
});

test('the CSP allows nothing inline and nothing from elsewhere', (t) => {
  t.regex(CONTENT_SECURITY_POLICY, /default-src 'self'/);
  t.regex(CONTENT_SECURITY_POLICY, /frame-ancestors 'none'/);
  t.regex(CONTENT_SECURITY_POLICY, /object-src 'none'/);
  t.notRegex(CONTENT_SECURITY_POLICY, /unsafe|\*|http/);
});

test('hostOnly reads address literals through net/ (canonical text) and refuses malformed ports', (t) => {
  t.is(hostOnly('[0:0::1]:8080'), '::1', 'the same address in another spelling is the same host');
  t.is(hostOnly('[2001:DB8::1]'), '2001:db8::1');
  t.is(hostOnly('::1'), '::1', 'an unbracketed IPv6 literal without a port');
  t.is(hostOnly('box.lan:abc'), '', 'a port that is not a number');
  t.is(hostOnly('[::1]x'), '');
  t.is(hostOnly('[not-an-address]:80'), '');
});
