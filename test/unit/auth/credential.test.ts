import test from 'ava';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCredential, UPGRADED_HASH_FILE, verifyCredential } from '../../../firmware/src/auth/credential.js';
import { hashPassword, needsRehash, SCRYPT_PARAMS } from '../../../firmware/src/auth/password.js';
import type { Provisioning } from '../../../firmware/src/config/provisioning.js';

const OLD = { N: 16384, r: 8, p: 1 };
const STRONG = 'k7dq-x3mp-9wzt-h2vn';

async function stateDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'utm-cred-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const bundle = (passwordHash: string): Provisioning => ({ admin: { passwordHash } }) as unknown as Provisioning;

test('new hashes use scrypt N=2^17 and old ones are marked for a rehash', async (t) => {
  const h = await hashPassword(STRONG);
  t.true(h.startsWith(`scrypt$${SCRYPT_PARAMS.N}$8$1$`));
  t.true(SCRYPT_PARAMS.N >= 1 << 17);
  t.false(needsRehash(h));
  t.true(needsRehash(await hashPassword(STRONG, undefined, OLD)));
  t.true(needsRehash('garbage'));
});

test('a bundle hash at N=2^14 is replaced by an N=2^17 one at the next login, and kept across restarts', async (t) => {
  const dir = await stateDir(t);
  const old = await hashPassword(STRONG, undefined, OLD);
  const c = await loadCredential(dir, bundle(old));
  t.is(c.source, 'provisioning');
  t.false(await verifyCredential(c, 'wrong password here'));
  t.is(c.hash, old, 'a wrong password changes nothing');
  t.true(await verifyCredential(c, STRONG));
  t.false(needsRehash(c.hash));
  t.is((await stat(join(dir, UPGRADED_HASH_FILE))).mode & 0o777, 0o600);
  const again = await loadCredential(dir, bundle(old));
  t.is(again.hash, c.hash, 'the upgraded hash is used after a restart');
  t.true(await verifyCredential(again, STRONG));
  // A new bundle (another hash) voids the upgrade.
  const other = await hashPassword('another-strong-pass-99', undefined, OLD);
  const next = await loadCredential(dir, bundle(other));
  t.is(next.hash, other);
  // its check against the example passwords runs in the background and writes in the state dir:
  // done before the teardown removes the dir (else it left the dir behind in /tmp)
  await next.ready;
});

test('a bundle made from the example password is refused at start: the box uses its own generated password', async (t) => {
  const dir = await stateDir(t);
  const refused: string[] = [];
  const c = await loadCredential(dir, bundle(await hashPassword('example-only-change-me', undefined, OLD)), (x) => refused.push(x.refusedBundle ?? ''));
  await c.ready;
  t.is(refused.length, 1);
  t.is(c.source, 'generated');
  t.regex(c.refusedBundle ?? '', /known example password/);
  t.false(await verifyCredential(c, 'example-only-change-me'));
  t.true(await verifyCredential(c, c.password ?? ''));
  t.is((await readFile(join(dir, 'admin-password'), 'utf8')).trim(), c.password ?? 'missing');
});

test('without a bundle a unique password is generated once and kept', async (t) => {
  const dir = await stateDir(t);
  const a = await loadCredential(dir, null);
  const b = await loadCredential(dir, null);
  t.is(a.password, b.password);
  t.is(a.refusedBundle, null);
});
