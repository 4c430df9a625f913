// Logged-in sessions kept in memory, bounded: the cookie alone is not enough, so logout
// and a restart really end a session. A session ends at its absolute expiry or after
// `idleMs` without a request (idle timeout). Pure apart from the injected time arguments.

export interface LoginSession {
  id: string;
  user: string;
  clientIp: string;
  createdAt: number;
  expiresAt: number;
  /** Time of the last request seen with this session. */
  lastSeen: number;
}

export class SessionStore {
  readonly #sessions = new Map<string, LoginSession>();

  constructor(private readonly maxSessions: number, private readonly ttlMs: number, private readonly idleMs: number = ttlMs) {}

  /** Records a new login; evicts the oldest session when full. */
  add(id: string, user: string, clientIp: string, now: number): LoginSession {
    this.#prune(now);
    while (this.#sessions.size >= this.maxSessions) {
      const oldest = this.#sessions.keys().next();
      if (oldest.done) break;
      this.#sessions.delete(oldest.value);
    }
    const session = { id, user, clientIp, createdAt: now, expiresAt: now + this.ttlMs, lastSeen: now };
    this.#sessions.set(id, session);
    return session;
  }

  /** The live session with this id, or null; a live one counts as used at `now`. */
  get(id: string, now: number): LoginSession | null {
    const s = this.#sessions.get(id);
    if (!s) return null;
    if (this.#dead(s, now)) {
      this.#sessions.delete(id);
      return null;
    }
    s.lastSeen = Math.max(s.lastSeen, now);
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
    for (const [id, s] of this.#sessions) if (this.#dead(s, now)) this.#sessions.delete(id);
  }

  #dead(s: LoginSession, now: number): boolean {
    return s.expiresAt <= now || now - s.lastSeen >= this.idleMs;
  }
}
