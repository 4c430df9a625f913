// Administrator password: scrypt hashes in the bundle's format `scrypt$N$r$p$salt$hash`,
// and a unique generated password when no provisioning bundle exists (never a shared default).
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (e, key) => (e ? reject(e) : resolve(key))),
  );
}

/** OWASP's minimum for scrypt (2023): N=2^17, r=8, p=1, which needs 128 MiB while hashing. */
export const SCRYPT_PARAMS = { N: 1 << 17, r: 8, p: 1 };

/** Memory scrypt may use for N and r: twice its 128·N·r working set (Node's default
 *  maxmem, 32 MiB, refuses N=2^17). */
function maxmemFor(N: number, r: number): number {
  return 256 * N * r + 1024 * 1024;
}

/** Hashes a password for the provisioning bundle (scrypt at SCRYPT_PARAMS, 16-byte salt). */
export async function hashPassword(password: string, salt = randomBytes(16), params = SCRYPT_PARAMS): Promise<string> {
  const { N, r, p } = params;
  const key = await scrypt(password, salt, 32, { N, r, p, maxmem: maxmemFor(N, r) });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether a stored hash is weaker than SCRYPT_PARAMS (to be replaced at the next login). */
export function needsRehash(hash: string): boolean {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$/.exec(hash);
  if (!m) return true;
  return Number(m[1]) < SCRYPT_PARAMS.N || Number(m[2]) < SCRYPT_PARAMS.r;
}

/** Checks a password against a hash in constant time; false for any malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(hash);
  if (!m || password.length > 1024) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (N < 1024 || N > 1 << 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  if (128 * N * r > 256 * 1024 * 1024) return false; // a bundle must not make us allocate gigabytes
  const want = Buffer.from(m[5] as string, 'base64');
  if (want.length < 16 || want.length > 64) return false;
  const got = await scrypt(password, Buffer.from(m[4] as string, 'base64'), want.length, { N, r, p, maxmem: maxmemFor(N, r) });
  return timingSafeEqual(got, want);
}

/** A password a person can read over the phone: 4 groups of 4 from an unambiguous alphabet. */
export function generatePassword(bytes: (n: number) => Buffer = randomBytes): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789'; // no 0/o, 1/l/i
  const raw = bytes(16);
  let s = '';
  for (const b of raw.subarray(0, 16)) s += alphabet.charAt(b % alphabet.length);
  return (s.match(/.{4}/g) ?? []).join('-'); // 16 characters: four groups
}
