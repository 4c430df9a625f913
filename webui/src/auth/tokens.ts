// Signed, opaque tokens for cookies and CSRF fields. Pure: the secret and the time come in
// as arguments. A token is `<id>.<expiry ms>.<HMAC-SHA256>`; ids are random base64url.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface SignedToken {
  id: string;
  exp: number;
}

/** Thrown when the session secret is too short to be safe. */
export class WeakSecretError extends Error {}

/** Checks the secret once at start-up; throws WeakSecretError under 32 bytes. */
export function assertSecret(secret: Buffer): void {
  if (secret.length < 32) throw new WeakSecretError(`session secret has ${secret.length} bytes, need at least 32`);
}

/** A fresh random id (128 bits, base64url). */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

function mac(secret: Buffer, purpose: string, payload: string): string {
  return createHmac('sha256', secret).update(`${purpose}\0${payload}`).digest('base64url');
}

/** Constant-time string equality (different lengths compare unequal without early exit on content). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab); // spend comparable time; lengths are not secret here
    return false;
  }
  return timingSafeEqual(ab, bb);
}

/** Signs `id` until `exp` for one purpose ('session', 'pre', ...). */
export function signToken(secret: Buffer, purpose: string, id: string, exp: number): string {
  return `${id}.${exp}.${mac(secret, purpose, `${id}.${exp}`)}`;
}

const TOKEN = /^([A-Za-z0-9_-]{16,64})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

/** Verifies a token of `purpose`; returns null when malformed, forged or expired at `now`. */
export function verifyToken(secret: Buffer, purpose: string, token: string | undefined, now: number): SignedToken | null {
  if (!token) return null;
  const m = TOKEN.exec(token);
  if (!m) return null;
  const [, id, expText, given] = m as unknown as [string, string, string, string];
  const expected = mac(secret, purpose, `${id}.${expText}`);
  if (!safeEqual(given, expected)) return null;
  const exp = Number(expText);
  if (!(exp > now)) return null;
  return { id, exp };
}

/** The CSRF token that belongs to a session (or pre-login) id. */
export function csrfToken(secret: Buffer, id: string): string {
  return mac(secret, 'csrf', id);
}

/** Whether `given` is the CSRF token of `id` (constant time). */
export function checkCsrf(secret: Buffer, id: string, given: unknown): boolean {
  return typeof given === 'string' && safeEqual(given, csrfToken(secret, id));
}
