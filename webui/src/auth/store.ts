// Logged-in sessions kept in memory, bounded: the cookie alone is not enough, so logout
// and a restart really end a session. Pure apart from the injected time arguments.

export interface LoginSession {
  id: string;
  user: string;
  clientIp: string;
  createdAt: number;
  expiresAt: number;
}

export class SessionStore {
  readonly #sessions = new Map<string, LoginSession>();

  constructor(private readonly maxSessions: number, private readonly ttlMs: number) {}

  /** Records a new login; evicts the oldest session when full. */
  add(id: string, user: string, clientIp: string, now: number): LoginSession {
    this.#prune(now);
    while (this.#sessions.size >= this.maxSessions) {
      const oldest = this.#sessions.keys().next();
      if (oldest.done) break;
      this.#sessions.delete(oldest.value);
    }
    const session = { id, user, clientIp, createdAt: now, expiresAt: now + this.ttlMs };
    this.#sessions.set(id, session);
    return session;
  }

  /** The live session with this id, or null. */
  get(id: string, now: number): LoginSession | null {
    const s = this.#sessions.get(id);
    if (!s) return null;
    if (s.expiresAt <= now) {
      this.#sessions.delete(id);
      return null;
    }
    return s;
  }

  /** Ends a session (logout). */
  remove(id: string): void {
    this.#sessions.delete(id);
  }

  get size(): number {
    return this.#sessions.size;
  }

  #prune(now: number): void {
    for (const [id, s] of this.#sessions) if (s.expiresAt <= now) this.#sessions.delete(id);
  }
}
