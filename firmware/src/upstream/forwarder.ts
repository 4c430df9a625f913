// Drains the outbox to the collector over UDP (dgram). A message leaves the outbox only
// when the socket has sent it; on errors it is retried with backoff, so nothing is lost
// while the collector or the route to it is down.
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { OutboxRepo } from '../store/outboxRepo.js';

export interface ForwarderOptions {
  host: string;
  port: number;
  outbox: OutboxRepo;
  now: () => number;
  /** Called whenever reachability changes (for the page and for an upstream condition). */
  onHealth?: ((ok: boolean, detail: string) => void) | undefined;
  batch?: number | undefined;
  intervalMs?: number | undefined;
  /** The outbox could not be read or updated (disk full …): reported, retried next round. */
  onStoreError?: ((e: unknown) => void) | undefined;
}

export interface ForwarderStats {
  sent: number;
  failed: number;
  lastError: string | null;
  lastSentAt: number | null;
}

export class UpstreamForwarder {
  private socket: dgram.Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private draining = false;
  private ok = true;
  readonly stats: ForwarderStats = { sent: 0, failed: 0, lastError: null, lastSentAt: null };

  constructor(private readonly o: ForwarderOptions) {}

  start(): void {
    this.socket = dgram.createSocket(isIPv6(this.o.host) ? 'udp6' : 'udp4');
    // Asynchronous ICMP errors on an unconnected socket are reported here; the send callback
    // already decided the message's fate, so we only record them.
    this.socket.on('error', (e) => this.setHealth(false, e.message));
    this.timer = setInterval(() => void this.drain(), this.o.intervalMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const s = this.socket;
    this.socket = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** Sends what is due now; called on a timer and right after a new alert is queued. */
  async drain(): Promise<void> {
    if (this.draining || !this.socket) return;
    this.draining = true;
    try {
      for (;;) {
        const items = this.o.outbox.due(this.o.now(), this.o.batch ?? 100);
        if (!items.length) break;
        for (const it of items) {
          const err = await this.send(it.payload);
          const now = this.o.now();
          if (err) {
            this.stats.failed++;
            this.stats.lastError = err.message;
            this.o.outbox.markFailed(it.id, now + backoffMs(it.attempts), err.message);
            this.setHealth(false, err.message);
            return; // the path is down: stop this round, keep order for the next
          }
          this.o.outbox.markSent(it.id, now);
          this.stats.sent++;
          this.stats.lastSentAt = now;
          this.setHealth(true, 'sent');
        }
      }
    } catch (e) {
      // A store error (SQLITE_FULL on markSent) must not become an unhandled rejection; an
      // unmarked message is sent again next round (the collector may see it twice).
      this.stats.lastError = `outbox: ${(e as Error).message}`;
      this.o.onStoreError?.(e);
    } finally {
      this.draining = false;
    }
  }

  private send(payload: Buffer): Promise<Error | null> {
    const s = this.socket;
    if (!s) return Promise.resolve(new Error('forwarder stopped'));
    return new Promise((resolve) => s.send(payload, this.o.port, this.o.host, (e) => resolve(e ?? null)));
  }

  private setHealth(ok: boolean, detail: string): void {
    if (ok === this.ok) return;
    this.ok = ok;
    this.o.onHealth?.(ok, detail);
  }
}

/** 2 s doubling to 5 min. */
export function backoffMs(attempts: number): number {
  return Math.min(300_000, 2000 * 2 ** Math.min(attempts, 10));
}
