// Login attempt limiting per client address, plus a global ceiling so that an attacker
// with many addresses cannot guess faster by rotating them. Bounded memory; time injected.

export interface LimitDecision {
  allowed: boolean;
  retryAfterMs: number;
}

export interface LoginLimiterOptions {
  /** Failed attempts allowed per client within the window. */
  perClient: number;
  /** Failed attempts allowed for all clients together within the window. */
  global: number;
  windowMs: number;
  /** Most clients remembered; the oldest are forgotten first. */
  maxClients: number;
}

interface Bucket {
  start: number;
  failures: number;
}

export class LoginLimiter {
  readonly #clients = new Map<string, Bucket>();
  #global: Bucket = { start: 0, failures: 0 };

  constructor(private readonly opts: LoginLimiterOptions) {}

  /** Whether `client` may try a password now. */
  check(client: string, now: number): LimitDecision {
    const g = this.#fresh(this.#global, now);
    if (g.failures >= this.opts.global) return { allowed: false, retryAfterMs: g.start + this.opts.windowMs - now };
    const b = this.#clients.get(client);
    if (b && now - b.start < this.opts.windowMs && b.failures >= this.opts.perClient) {
      return { allowed: false, retryAfterMs: b.start + this.opts.windowMs - now };
    }
    return { allowed: true, retryAfterMs: 0 };
  }

  /** Counts one password attempt from `client`; succeed() takes it back when it was right. */
  attempt(client: string, now: number): void {
    this.#global = this.#fresh(this.#global, now);
    this.#global.failures++;
    let b = this.#clients.get(client);
    if (!b || now - b.start >= this.opts.windowMs) {
      this.#clients.delete(client);
      while (this.#clients.size >= this.opts.maxClients) {
        const oldest = this.#clients.keys().next();
        if (oldest.done) break;
        this.#clients.delete(oldest.value);
      }
      b = { start: now, failures: 0 };
      this.#clients.set(client, b);
    }
    b.failures++;
  }

  /** Forgets a client's attempts after a correct password. */
  succeed(client: string): void {
    this.#clients.delete(client);
    if (this.#global.failures > 0) this.#global.failures--;
  }

  get trackedClients(): number {
    return this.#clients.size;
  }

  #fresh(b: Bucket, now: number): Bucket {
    return now - b.start >= this.opts.windowMs ? { start: now, failures: 0 } : b;
  }
}
