import test from 'ava';
import { formatCookie, parseCookies } from '../../../../webui/src/auth/cookies.js';

test('parses a Cookie header; the first occurrence wins; junk is skipped', (t) => {
  const jar = parseCookies('a=1; b="two"; junk; a=3; =x');
  t.is(jar.get('a'), '1');
  t.is(jar.get('b'), 'two');
  t.is(jar.size, 2);
  t.is(parseCookies(undefined).size, 0);
});

test('formats Set-Cookie with the flags asked for', (t) => {
  t.is(formatCookie('s', 'v', { maxAgeSeconds: 60, httpOnly: true, sameSite: 'Strict' }), 's=v; Path=/; SameSite=Strict; Max-Age=60; HttpOnly');
  t.is(formatCookie('s', '', { maxAgeSeconds: 0, secure: true, sameSite: 'Lax' }), 's=; Path=/; SameSite=Lax; Max-Age=0; Secure');
});
