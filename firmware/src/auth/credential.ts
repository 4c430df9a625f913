// The admin credential of this box: the provisioning bundle's hash, or — with no bundle, or a
// bundle whose password is a known example — a unique password generated at first start and
// kept in the state dir (0600), which the technician reads with `utmctl password`. Never a
// shared default. A hash weaker than today's scrypt parameters is replaced at the next
// successful login (kept in the state dir beside the bundle's, which stays untouched).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Provisioning } from '../config/provisioning.js';
import { writeAtomic } from '../sys/files.js';
import { isStorageError } from '../errors/storageError.js';
import { generatePassword, hashPassword, needsRehash, verifyPassword } from './password.js';
import { knownWeakPasswordOf } from './weakPasswords.js';

export interface Credential {
  source: 'provisioning' | 'generated';
  hash: string;
  /** The generated password itself (only when source is 'generated'). */
  password: string | null;
  /** Why the bundle's password was not used (a known example password), or null. */
  refusedBundle: string | null;
  /** Where an upgraded hash is kept; null: nowhere (tests). */
  upgradeFile: string | null;
  /** The bundle hash the upgraded hash replaces (the upgrade is void when the bundle changes). */
  upgradedFrom: string | null;
  /** Settles when the bundle's hash has been checked against the known example passwords
   *  (one scrypt each, seconds at N=2^17, so it runs after start; logins wait for it). */
  ready: Promise<void>;
}

export const UPGRADED_HASH_FILE = 'admin-hash.json';
const CHECKED_FILE = 'admin-hash.checked';

const UpgradedSchema = z.strictObject({ from: z.string().max(300), hash: z.string().max(300) });

function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    if (e instanceof SyntaxError) return null; // a torn file: the bundle's hash is used
    throw e;
  }
}

/** Whether the bundle hash is made from a listed example password; remembers a clean result
 *  (by digest) so the scrypt runs happen once per bundle, not at every start. */
async function bundleIsWeak(stateDir: string, hash: string): Promise<string | null> {
  const file = join(stateDir, CHECKED_FILE);
  if ((await readOptional(file))?.trim() === digest(hash)) return null;
  const weak = await knownWeakPasswordOf(hash);
  if (weak === null) {
    try {
      await writeAtomic(file, `${digest(hash)}\n`, 0o600);
    } catch (e) {
      // a full or read-only state dir: the check passed, it only runs again at the next start
      if (!isStorageError(e)) throw e;
    }
  }
  return weak;
}

async function generated(stateDir: string, refusedBundle: string | null): Promise<Credential> {
  const file = join(stateDir, 'admin-password');
  let password = (await readOptional(file))?.trim() ?? '';
  if (!password) {
    password = generatePassword();
    try {
      await writeAtomic(file, `${password}\n`, 0o600);
    } catch (e) {
      // a full or read-only state dir: this run's password (utmctl password shows it), a new
      // one at the next start; the store on the same disk raises the storage condition
      if (!isStorageError(e)) throw e;
    }
  }
  return { source: 'generated', hash: await hashPassword(password), password, refusedBundle, upgradeFile: null, upgradedFrom: null, ready: Promise.resolve() };
}

/** Loads or creates the credential; with a bundle, its check against the example passwords
 *  runs in the background (`ready`): when it fails, the credential becomes the box's own
 *  generated password and `onRefused` says why. Throws on state-dir I/O errors. */
export async function loadCredential(
  stateDir: string, provisioning: Provisioning | null,
  onRefused: (c: Credential) => void = () => {},
  onError: (e: unknown) => void = (e) => console.error('the admin password check failed; the bundle\'s password stays in use', e),
): Promise<Credential> {
  if (!provisioning) return generated(stateDir, null);
  const bundleHash = provisioning.admin.passwordHash;
  const c = await bundleCredential(stateDir, bundleHash);
  c.ready = bundleIsWeak(stateDir, bundleHash).then(async (weak) => {
    if (weak === null) return;
    Object.assign(c, await generated(stateDir, 'the provisioning bundle\'s admin password is a known example password'));
    onRefused(c);
  }).catch(onError); // never rejects: logins wait for it
  return c;
}

async function bundleCredential(stateDir: string, bundleHash: string): Promise<Credential> {
  const upgradeFile = join(stateDir, UPGRADED_HASH_FILE);
  const raw = await readOptional(upgradeFile);
  let hash = bundleHash;
  if (raw !== null) {
    const up = UpgradedSchema.safeParse(parseOrNull(raw));
    if (up.success && up.data.from === digest(bundleHash)) hash = up.data.hash;
  }
  return { source: 'provisioning', hash, password: null, refusedBundle: null, upgradeFile, upgradedFrom: bundleHash, ready: Promise.resolve() };
}

/** Checks a login attempt against the credential; after a right password on a hash weaker than
 *  today's parameters, stores a fresh hash of it (failures to store are passed to onError). */
export async function verifyCredential(c: Credential, attempt: string, onError: (e: unknown) => void = () => {}): Promise<boolean> {
  await c.ready;
  const ok = await verifyPassword(attempt, c.hash);
  if (ok && needsRehash(c.hash)) {
    const fresh = await hashPassword(attempt);
    c.hash = fresh;
    if (c.upgradeFile && c.upgradedFrom) {
      try {
        await writeAtomic(c.upgradeFile, `${JSON.stringify({ from: digest(c.upgradedFrom), hash: fresh })}\n`, 0o600);
      } catch (e) {
        onError(e);
      }
    }
  }
  return ok;
}
