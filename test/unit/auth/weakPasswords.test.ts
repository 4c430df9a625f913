import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hashPassword } from '../../../firmware/src/auth/password.js';
import { describeWeak, KNOWN_WEAK_PASSWORDS, knownWeakPasswordOf, weakPasswordReason } from '../../../firmware/src/auth/weakPasswords.js';

const FAST = { N: 1024, r: 8, p: 1 };

test('known example passwords, short and repetitive ones are refused with a clear reason', (t) => {
  t.is(weakPasswordReason('example-only-change-me'), 'known');
  t.is(weakPasswordReason('Example-Only-Change-Me'), 'known', 'case does not help');
  t.is(weakPasswordReason('ｐａｓｓｗｏｒｄ'), 'known', 'full-width letters do not help');
  t.is(weakPasswordReason('abcdefghijk'), 'short');
  t.is(weakPasswordReason('aaaaaaaaaaaaaaaa'), 'repetitive');
  t.is(weakPasswordReason('k7dq-x3mp-9wzt-h2vn'), null);
  t.regex(describeWeak('short'), /at least 12 characters/);
  t.regex(describeWeak('known'), /known example/);
});

test('every listed password is itself refused for a new hash', (t) => {
  for (const p of KNOWN_WEAK_PASSWORDS) t.not(weakPasswordReason(p), null, p);
});

test('a bundle hash made from the example password is found; a strong one is not', async (t) => {
  t.is(await knownWeakPasswordOf(await hashPassword('example-only-change-me', undefined, FAST)), 'example-only-change-me');
  t.is(await knownWeakPasswordOf(await hashPassword('k7dq-x3mp-9wzt-h2vn', undefined, FAST)), null);
});

test('the shipped example bundle is recognised as an example password', async (t) => {
  const bundle = JSON.parse(readFileSync(fileURLToPath(new URL('../../../image/provisioning.example.json', import.meta.url)), 'utf8')) as { admin: { passwordHash: string } };
  t.is(await knownWeakPasswordOf(bundle.admin.passwordHash), 'example-only-change-me');
});
