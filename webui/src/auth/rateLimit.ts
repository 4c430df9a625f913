// Login attempt limiting that an attacker cannot turn against the technician: back-off per
// client address and per IPv6 /64, never a shared global lockout. Guessing from one address
// or one /64 slows down exponentially; every other client is unaffected, and a browser that
// logged in before (trusted-browser cookie) is limited only by its own failures. Bounded
// memory; time injected.
import { socketPeer } from '../../../firmware/src/net/socketPeer.js';

export interface LimitDecision {
  allowed: boolean;
  retryAfterMs: number;
}

export interface LoginLimiterOptions {
  /** Failures per address before the back-off starts. */
  freePerAddress: number;
  /** Failures per IPv6 /64 (all its addresses together) before its back-off starts. */
  freePerPrefix: number;
  /** First wait after the free failures; it doubles with every further failure. */
  baseDelayMs: number;
  /** Longest wait. */
  maxDelayMs: number;
  /** A key with no failure for this long is forgotten. */
  forgetMs: number;
  /** Most keys remembered; the least recently failed are forgotten first. */
  maxKeys: number;
}

export const DEFAULT_LIMITER: LoginLimiterOptions = {
  freePerAddress: 5,
  freePerPrefix: 20,
  baseDelayMs: 2_000,
  maxDelayMs: 15 * 60_000,
  forgetMs: 60 * 60_000,
  maxKeys: 4096,
};

interface Bucket {
  failures: number;
  last: number;
}

/** The keys a client address is limited by: the address itself and, for IPv6, its /64.
 *  IPv4-mapped IPv6 (`::ffff:a.b.c.d`, what a dual-stack socket reports) counts as IPv4. */
export function clientKeys(remote: string): { address: string; prefix: string | null } {
  const p = socketPeer(remote);
  return p ? { address: p.address, prefix: p.net64 } : { address: `other:${remote.slice(0, 64)}`, prefix: null };
}

/** Wait after `failures` failures with `free` of them free: 0, then base·2^k up to max. */
export function backoffMs(failures: number, free: number, o: Pick<LoginLimiterOptions, 'baseDelayMs' | 'maxDelayMs'>): number {
  if (failures < free) return 0;
  const k = Math.min(failures - free, 30);
  return Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** k);
}

export class LoginLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(private readonly opts: LoginLimiterOptions = DEFAULT_LIMITER) {}

  /** Whether a client may try a password now. `trusted` names a browser that logged in
   *  before (its own key replaces the address and /64 keys, so neighbours cannot lock it out). */
  check(remote: string, now: number, trusted: string | null = null): LimitDecision {
    let wait = 0;
    for (const [key, free] of this.#keys(remote, trusted)) {
      const b = this.#live(key, now);
      if (!b) continue;
      wait = Math.max(wait, b.last + backoffMs(b.failures, free, this.opts) - now);
    }
    return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true, retryAfterMs: 0 };
  }

  /** Counts one password attempt; succeed() takes it back when the password was right. */
  attempt(remote: string, now: number, trusted: string | null = null): void {
    for (const [key] of this.#keys(remote, trusted)) {
      const b = this.#live(key, now) ?? { failures: 0, last: now };
      b.failures++;
      b.last = now;
      this.#buckets.delete(key); // re-insert: the map's order is "least recently failed first"
      while (this.#buckets.size >= this.opts.maxKeys) {
        const oldest = this.#buckets.keys().next();
        if (oldest.done) break;
        this.#buckets.delete(oldest.value);
      }
      this.#buckets.set(key, b);
    }
  }

  /** After a correct password: forgets the address's (or browser's) failures and takes the
   *  attempt back from its /64. */
  succeed(remote: string, trusted: string | null = null): void {
    const keys = this.#keys(remote, trusted);
    const [first] = keys;
    if (first) this.#buckets.delete(first[0]);
    for (const [key] of keys.slice(1)) {
      const b = this.#buckets.get(key);
      if (b && b.failures > 0) b.failures--;
    }
  }

  get trackedKeys(): number {
    return this.#buckets.size;
  }

  #keys(remote: string, trusted: string | null): [string, number][] {
    if (trusted) return [[`browser:${trusted}`, this.opts.freePerAddress]];
    const k = clientKeys(remote);
    const keys: [string, number][] = [[`ip:${k.address}`, this.opts.freePerAddress]];
    if (k.prefix) keys.push([`net:${k.prefix}`, this.opts.freePerPrefix]);
    return keys;
  }

  #live(key: string, now: number): Bucket | undefined {
    const b = this.#buckets.get(key);
    if (b && now - b.last >= this.opts.forgetMs) {
      this.#buckets.delete(key);
      return undefined;
    }
    return b;
  }
}
