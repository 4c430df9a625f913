// Drains the outbox to the collector over one link at a time, in sequence order. A message
// leaves the outbox only when its link confirms it (see link.ts); every new link starts again
// just after the last confirmed message, so what a broken link did not confirm is resent, in
// order, with the same sequence numbers. One backoff with full jitter governs reconnects (never
// one per message), so a fleet's reconnect storm after a collector restart is spread out.
import type { OutboxRepo } from './outboxRepo.js';
import type { UpstreamStatus } from './contract.js';
import type { Connector, Link } from './link.js';
import { linkError } from './link.js';
import type { OutboxSink } from './sink.js';

export interface ForwarderOptions {
  outbox: OutboxRepo;
  sink: OutboxSink;
  connect: Connector;
  transport: UpstreamStatus['transport'];
  peer: string;
  now: () => number;
  /** [0, 1) source for the jitter (tests pass a seeded one). */
  random?: (() => number) | undefined;
  backoffBaseMs?: number | undefined;
  backoffMaxMs?: number | undefined;
  /** 'batch' links: end the batch after this many bytes, this long, or this long idle. */
  batchBytes?: number | undefined;
  batchMaxMs?: number | undefined;
  lingerMs?: number | undefined;
  /** Called whenever the link's health changes (the page and an upstream condition). */
  onHealth?: ((ok: boolean, detail: string) => void) | undefined;
  /** The outbox could not record a confirmation (disk full …): reported; the messages stay
   *  waiting and are sent again with the same numbers (at-least-once). */
  onStoreError?: ((e: unknown) => void) | undefined;
}

const FILL_BYTES = 256 * 1024;

export interface ForwarderCounters {
  connects: number;
  failures: number;
  confirmed: number;
  /** Messages written, resends included. */
  written: number;
}

/** Full-jitter backoff: uniform in [0, min(max, base·2^(failures-1))], at least 10 ms. */
export function backoffMs(failures: number, base: number, max: number, random: () => number): number {
  const cap = Math.min(max, base * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.max(10, Math.floor(random() * cap));
}

export class UpstreamForwarder {
  readonly counters: ForwarderCounters = { connects: 0, failures: 0, confirmed: 0, written: 0 };
  private running: Promise<void> | null = null;
  private abort = new AbortController();
  private stopping = false;
  private poked = false;
  private waiter: (() => void) | null = null;
  private link: Link | null = null;
  private linkErr: Error | null = null;
  private failuresInRow = 0;
  private connected = false;
  private connectedSince: number | null = null;
  private lastError: string | null = null;
  private peerCertSha256: string | null = null;

  constructor(private readonly o: ForwarderOptions) {}

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.abort = new AbortController();
    this.o.sink.onEnqueue(() => this.poke());
    this.running = this.run();
  }

  /** Ends the current link politely (a 'batch' link confirms what it carried; given up to
   *  `graceMs`, then dropped) and the loop. Leaves no socket or timer behind. */
  async stop(graceMs = 2000): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    this.poke();
    const grace = setTimeout(() => this.link?.destroy(), graceMs);
    await this.running;
    clearTimeout(grace);
    this.running = null;
  }

  /** Wakes the loop (new message queued). */
  wake(): void {
    this.poke();
  }

  /** What `utmctl upstream status` and the technician's page show. */
  status(): UpstreamStatus {
    const p = this.o.outbox.pending();
    return {
      transport: this.o.transport, peer: this.o.peer, peerCertSha256: this.peerCertSha256,
      connected: this.connected, connectedSince: this.connectedSince,
      lastConfirmedSeq: this.o.outbox.lastConfirmedSeq(), lastConfirmedAt: this.o.outbox.lastConfirmedAt(),
      queueDepth: p.count, queueBytes: p.bytes, oldestWaitingAt: p.oldest,
      overflowLost: this.o.outbox.losses('total').byClass, lastError: this.lastError, nextSeq: this.o.outbox.nextSeq(),
    };
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      if (this.o.outbox.firstWaitingSeq() === null) {
        await this.waitPoke(null);
        continue;
      }
      try {
        await this.session();
        this.failuresInRow = 0;
      } catch (e) {
        this.link?.destroy();
        this.link = null;
        this.flushConfirm(); // what was acknowledged before the break stands
        if (this.stopping) break;
        const err = linkError(e, 'upstream');
        this.counters.failures++;
        this.failuresInRow++;
        this.lastError = err.message;
        const fp = (e as { peerCertSha256?: string | null }).peerCertSha256;
        if (fp) this.peerCertSha256 = fp;
        this.setConnected(false, err.message);
        await this.sleep(backoffMs(this.failuresInRow, this.o.backoffBaseMs ?? 1000, this.o.backoffMaxMs ?? 60_000, this.o.random ?? Math.random));
      }
    }
  }

  /** Throws the error the current link closed with, if it did. A method, not an inline check:
   *  tsc keeps `this.linkErr = null` from the start of session() across the awaits and would
   *  read the field as always null there. */
  private throwIfClosed(): void {
    if (this.linkErr) throw this.linkErr;
  }

  /** One link: open, write from just after the last confirmed message, confirm, end. */
  private async session(): Promise<void> {
    this.linkErr = null;
    // Events of a link that is not (or no longer) the current one are ignored.
    let link: Link | null = null;
    link = await this.o.connect({
      confirmed: (seq) => {
        if (link && this.link === link) this.confirmSoon(seq);
      },
      closed: (e) => {
        if (!link || this.link !== link) return;
        this.linkErr = e;
        this.poke();
      },
      progress: () => {
        if (link && this.link === link) this.poke();
      },
    }, this.abort.signal);
    this.link = link;
    this.counters.connects++;
    this.peerCertSha256 = link.peerCertSha256;
    this.setConnected(true, 'connected');
    let cursor = (this.o.outbox.firstWaitingSeq() ?? this.o.outbox.nextSeq()) - 1;
    const first = cursor;
    const started = this.o.now();
    let bytes = 0;
    const batchBytes = this.o.batchBytes ?? 8 << 20;
    for (;;) {
      this.poked = false;
      this.throwIfClosed();
      if (this.stopping) return this.end(link, cursor > first ? cursor : null);
      // At most FILL_BYTES per turn, so the socket sends while the next rows are read.
      let turn = 0;
      while (link.room() > 0 && (link.kind === 'acked' || bytes < batchBytes) && turn < FILL_BYTES) {
        const rows = this.o.outbox.waitingAfter(cursor, Math.min(link.room(), 256));
        if (!rows.length) break;
        for (const r of rows) {
          link.write(r.seq, r.payload);
          cursor = r.seq;
          bytes += r.bytes;
          turn += r.bytes;
          this.counters.written++;
        }
      }
      if (turn >= FILL_BYTES) {
        await new Promise((r) => setImmediate(r));
        continue;
      }
      if (link.kind === 'acked') {
        await this.waitPoke(null);
        continue;
      }
      const age = this.o.now() - started;
      // A full link (UDP's batch, a stream's 16 MiB buffer) ends its batch too: end() flushes first.
      const due = bytes >= batchBytes || age >= (this.o.batchMaxMs ?? 5000) || (cursor > first && link.room() === 0);
      if (due || (!this.poked && !(await this.waitPoke(Math.min(this.o.lingerMs ?? 50, Math.max(1, (this.o.batchMaxMs ?? 5000) - age)))))) {
        this.throwIfClosed();
        return this.end(link, cursor === first ? null : cursor);
      }
    }
  }

  private async end(link: Link, through: number | null): Promise<void> {
    if (link.kind === 'batch' && through === null) {
      this.link = null;
      return link.destroy();
    }
    await link.finish();
    this.link = null;
    this.flushConfirm();
    if (link.kind === 'batch' && through !== null) this.confirm(through);
  }

  private confirmAt: number | null = null;

  /** Acknowledgements arrive one per message: commit them once per event-loop turn. */
  private confirmSoon(seq: number): void {
    const first = this.confirmAt === null;
    this.confirmAt = Math.max(seq, this.confirmAt ?? 0);
    if (first) setImmediate(() => this.flushConfirm());
  }

  private flushConfirm(): void {
    const seq = this.confirmAt;
    this.confirmAt = null;
    if (seq !== null) this.confirm(seq);
  }

  private confirm(seq: number): void {
    try {
      this.counters.confirmed += this.o.outbox.confirmThrough(seq, this.o.now());
    } catch (e) {
      this.lastError = `outbox: ${(e as Error).message}`;
      this.o.onStoreError?.(e);
      return;
    }
    this.lastError = null;
    // The link is back: tell the centre how many messages overflow dropped, if any.
    this.o.sink.reportLosses();
  }

  private setConnected(ok: boolean, detail: string): void {
    if (ok === this.connected && this.connectedSince !== null) return;
    this.connected = ok;
    this.connectedSince = this.o.now();
    this.o.onHealth?.(ok, detail);
  }

  private poke(): void {
    this.poked = true;
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Waits for a poke (true) or `ms` (false); null waits for a poke only. Returns at once after stop. */
  private waitPoke(ms: number | null): Promise<boolean> {
    if (this.stopping) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = ms === null ? null : setTimeout(() => {
        this.waiter = null;
        resolve(false);
      }, ms);
      this.waiter = () => {
        if (timer) clearTimeout(timer);
        resolve(true);
      };
    });
  }

  /** The one backoff: only stop cuts it short (new messages do not). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve();
      }, ms);
      const w = (): void => {
        if (!this.stopping) {
          this.waiter = w; // a new message waits for the backoff like the rest
          return;
        }
        clearTimeout(timer);
        resolve();
      };
      this.waiter = w;
    });
  }
}
