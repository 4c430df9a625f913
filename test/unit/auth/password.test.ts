import test from 'ava';
import { generatePassword, hashPassword, verifyPassword } from '../../../firmware/src/auth/password.js';
import { PasswordHash } from '../../../firmware/src/config/provisioning.js';

test('a hash verifies its password only, and fits the bundle format', async (t) => {
  const h = await hashPassword('correct horse');
  t.true(PasswordHash.safeParse(h).success);
  t.true(await verifyPassword('correct horse', h));
  t.false(await verifyPassword('correct hors', h));
});

test('malformed or abusive hashes are refused, not computed', async (t) => {
  t.false(await verifyPassword('x', 'plain'));
  t.false(await verifyPassword('x', 'scrypt$1048576000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$' + 'B'.repeat(44)));
});

test('generated passwords are unique and readable', (t) => {
  const a = generatePassword();
  t.regex(a, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
  t.not(a, generatePassword());
});
