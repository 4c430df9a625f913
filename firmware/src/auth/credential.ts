// The admin credential of this box: the provisioning bundle's hash, or — with no bundle — a
// unique password generated at first start and kept in the state dir (0600), which the
// technician reads with `utmctl password`. Never a shared default.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Provisioning } from '../config/provisioning.js';
import { writeAtomic } from '../sys/files.js';
import { generatePassword, hashPassword, verifyPassword } from './password.js';

export interface Credential {
  source: 'provisioning' | 'generated';
  hash: string;
  /** The generated password itself (only when source is 'generated'). */
  password: string | null;
}

/** Loads or creates the credential. Throws on state-dir I/O errors. */
export async function loadCredential(stateDir: string, provisioning: Provisioning | null): Promise<Credential> {
  if (provisioning) return { source: 'provisioning', hash: provisioning.admin.passwordHash, password: null };
  const file = join(stateDir, 'admin-password');
  let password: string;
  try {
    password = (await readFile(file, 'utf8')).trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    password = generatePassword();
    await writeAtomic(file, `${password}\n`, 0o600);
  }
  return { source: 'generated', hash: await hashPassword(password), password };
}

/** Checks a login attempt against the credential. */
export function verifyCredential(c: Credential, attempt: string): Promise<boolean> {
  return verifyPassword(attempt, c.hash);
}
