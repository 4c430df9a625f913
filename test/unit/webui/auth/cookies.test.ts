import test from 'ava';
import { formatCookie, parseCookies } from '../../../../webui/src/auth/cookies.js';

test('parses a Cookie header; the first occurrence wins; junk is skipped', (t) => {
  const jar = parseCookies('a=1; b="two"; junk; a=3; =x');
  t.is(jar.get('a'), '1');
  t.is(jar.get('b'), 'two');
  t.is(jar.size, 2);
  t.is(parseCookies(undefined).size, 0);
  t.is(parseCookies('').size, 0);
});

/** The attributes of a Set-Cookie value, order aside. */
const attrs = (s: string): string[] => s.split('; ').sort();

test('formats Set-Cookie with the flags asked for', (t) => {
  const s = formatCookie('s', 'v', { maxAgeSeconds: 60, httpOnly: true, sameSite: 'Strict' });
  t.true(s.startsWith('s=v; '));
  t.deepEqual(attrs(s), ['s=v', 'Path=/', 'SameSite=Strict', 'Max-Age=60', 'HttpOnly'].sort());
  t.deepEqual(attrs(formatCookie('s', '', { maxAgeSeconds: 0, secure: true, sameSite: 'Lax' })), ['s=', 'Path=/', 'SameSite=Lax', 'Max-Age=0', 'Secure'].sort());
  t.deepEqual(attrs(formatCookie('s', 'v', { sameSite: 'Lax' })), ['s=v', 'Path=/', 'SameSite=Lax'].sort());
});

test('a value that is not cookie-safe is encoded, a bad name refused, and parsing reverses the encoding', (t) => {
  const s = formatCookie('s', 'a b;c', { sameSite: 'Lax' });
  t.true(s.startsWith('s=a%20b%3Bc; '));
  t.is(parseCookies(s.split('; ')[0]).get('s'), 'a b;c');
  t.throws(() => formatCookie('s;x', 'v', { sameSite: 'Lax' }), { instanceOf: TypeError });
});
