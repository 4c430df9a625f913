// Known example and weak administrator passwords, refused when a hash is made
// (`utmctl hash-password`), when a bundle is checked (`utmd --check-provisioning`) and at
// first start. A bundle carries only a hash, so for it the small list below is tried against
// the hash; the length rule can only be applied where the password itself is at hand.
import { verifyPassword } from './password.js';

/** Shortest password accepted for a new hash. */
export const MIN_PASSWORD_LENGTH = 12;

/** Passwords from our own examples and documentation, and the most common defaults.
 *  Kept short on purpose: each entry costs one scrypt run when a bundle's hash is checked. */
export const KNOWN_WEAK_PASSWORDS: readonly string[] = [
  'example-only-change-me',
  'correct horse battery staple',
  'change-me', 'changeme', 'password', 'password1', 'password123', 'passw0rd',
  'admin', 'administrator', 'otasuke', 'otasuke-utm', '12345678', '123456789012', 'qwertyuiop', 'letmein',
];

export type WeakReason = 'known' | 'short' | 'repetitive';

/** Why a new password is refused, or null when it may be used (pure). */
export function weakPasswordReason(password: string): WeakReason | null {
  const p = password.normalize('NFKC');
  if (KNOWN_WEAK_PASSWORDS.includes(p.toLowerCase())) return 'known';
  if ([...p].length < MIN_PASSWORD_LENGTH) return 'short';
  if (new Set(p.toLowerCase()).size < 4) return 'repetitive';
  return null;
}

/** The sentence the CLI prints for a refused password. */
export function describeWeak(reason: WeakReason): string {
  if (reason === 'known') return 'this password is a known example or common password: choose another one';
  if (reason === 'short') return `the password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  return 'the password repeats too few characters: choose a less predictable one';
}

/** The listed password a hash was made from, or null. Runs one scrypt per entry. */
export async function knownWeakPasswordOf(hash: string): Promise<string | null> {
  for (const p of KNOWN_WEAK_PASSWORDS) {
    if (await verifyPassword(p, hash)) return p;
  }
  return null;
}
