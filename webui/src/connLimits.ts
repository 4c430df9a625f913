// Bounds on the page's connections, so that one office PC (even a quarantined one) opening
// thousands of idle or slow connections cannot use up utmd's file descriptors: a cap per
// client, a global cap kept below the descriptor limit, and short header/idle timeouts.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  /** Connections open at once, all clients together (server.maxConnections). */
  maxConnections: number;
  /** Connections open at once from one client (see keyOf). */
  perClient: number;
  /** A connection with no bytes either way for this long is closed. */
  idleMs: number;
  /** The request headers must be complete within this (slow-header attacks). */
  headersMs: number;
  /** The whole request must be received within this. */
  requestMs: number;
  /** Which connections count as one client (default: the remote address text). */
  keyOf?: ((remoteAddress: string) => string) | undefined;
}

export const DEFAULT_LIMITS: ConnectionLimits = { maxConnections: 512, perClient: 32, idleMs: 20_000, headersMs: 10_000, requestMs: 30_000 };

export interface ConnectionCounts {
  open: number;
  clients: number;
  refusedPerClient: number;
  timedOut: number;
}

/** Counts connections per client and refuses those over the cap; all state is per server. */
export class ConnectionGate {
  private readonly perKey = new Map<string, number>();
  readonly counts: ConnectionCounts = { open: 0, clients: 0, refusedPerClient: 0, timedOut: 0 };

  constructor(private readonly limits: ConnectionLimits) {}

  /** Installs the caps and timeouts on `server` (before it listens). */
  attach(server: Server): void {
    const l = this.limits;
    server.maxConnections = l.maxConnections;
    server.headersTimeout = l.headersMs;
    server.requestTimeout = l.requestMs;
    server.keepAliveTimeout = Math.min(5_000, l.idleMs);
    server.on('connection', (s: Socket) => this.admit(s));
  }

  /** True when the socket was admitted; a refused one is destroyed at once. */
  admit(s: Socket): boolean {
    const key = (this.limits.keyOf ?? ((a: string) => a))(s.remoteAddress ?? '?');
    const n = this.perKey.get(key) ?? 0;
    if (n >= this.limits.perClient) {
      this.counts.refusedPerClient++;
      s.destroy();
      return false;
    }
    this.perKey.set(key, n + 1);
    this.counts.open++;
    this.counts.clients = this.perKey.size;
    s.setTimeout(this.limits.idleMs, () => {
      this.counts.timedOut++;
      s.destroy();
    });
    s.once('close', () => {
      this.counts.open--;
      const left = (this.perKey.get(key) ?? 1) - 1;
      if (left <= 0) this.perKey.delete(key);
      else this.perKey.set(key, left);
      this.counts.clients = this.perKey.size;
    });
    return true;
  }
}
