// The UpstreamSink the producers use: enqueue() numbers a message, formats it as RFC 5424
// with the number in `[meta sequenceId=…]` (RFC 5424 §7.3.1) and in our own element, commits
// it to the outbox and applies the overflow bound, all in one (possibly nested) SQLite
// transaction. Nothing is sent here; the forwarder is only woken after the caller's commit.
import type { OutboxRepo } from './outboxRepo.js';
import type { UpstreamMessage, UpstreamSink } from './contract.js';
import { lossNotice } from './overflow.js';
import { formatRfc5424, type SdElement } from './rfc5424.js';

/** Our own element that repeats the sequence number (with the message class). */
export const SEQ_SD_ID = 'utmMsg@32473';
export const APP_NAME = 'otasuke-utm';
const FACILITY_LOCAL0 = 16;
/** RFC 5424 §7.3.1: sequenceId is 1..2147483647 and wraps; our own element carries the full number. */
const META_SEQ_MAX = 2_147_483_647;

/** The `meta` sequenceId for a per-box sequence number (wraps after 2^31 - 1). */
export function metaSequenceId(seq: number): number {
  return ((seq - 1) % META_SEQ_MAX) + 1;
}

/** The bytes of message `m` numbered `seq`, from box `hostname` (pure). */
export function formatUpstream(m: UpstreamMessage, seq: number, hostname: string): Buffer {
  const sd: SdElement[] = [
    { id: 'meta', params: { sequenceId: metaSequenceId(seq) } },
    { id: SEQ_SD_ID, params: { seq, class: m.class } },
    ...m.sd,
  ];
  return formatRfc5424({ facility: FACILITY_LOCAL0, severity: m.severity, timestamp: m.timestamp, hostname, appName: APP_NAME, msgId: m.msgId, sd, msg: m.text });
}

export interface OutboxSinkOptions {
  outbox: OutboxRepo;
  /** HOSTNAME of every message: the provider's id for this box. */
  deviceId: string;
  now: () => number;
  maxMessages: number;
  maxBytes: number;
  language?: 'ja' | 'en' | undefined;
}

export class OutboxSink implements UpstreamSink {
  private readonly listeners: (() => void)[] = [];
  private wakePending = false;

  constructor(private readonly o: OutboxSinkOptions) {}

  /** Numbers, formats and commits `m` (inside the caller's transaction when there is one); returns its sequence number. Throws on database errors. */
  enqueue(m: UpstreamMessage): number {
    const { outbox } = this.o;
    const seq = outbox.transaction(() => {
      const n = outbox.takeSeq();
      outbox.append({ seq: n, cls: m.class, alertId: m.alertId ?? null, payload: formatUpstream(m, n, this.o.deviceId), now: this.o.now() });
      outbox.enforceBounds(this.o.maxMessages, this.o.maxBytes);
      return n;
    });
    this.wakeLater();
    return seq;
  }

  /** Queues one 'notice' telling how many messages overflow dropped since the last such notice;
   *  returns its sequence number, or null when nothing was lost. Called when the link is back. */
  reportLosses(): number | null {
    return this.o.outbox.transaction(() => {
      const l = this.o.outbox.takeUnreportedLosses();
      return l ? this.enqueue(lossNotice(l, this.o.now(), this.o.language ?? 'ja')) : null;
    });
  }

  /** Calls `fn` (once per burst, after the current synchronous work) whenever a message was queued. */
  onEnqueue(fn: () => void): void {
    this.listeners.push(fn);
  }

  private wakeLater(): void {
    if (this.wakePending || !this.listeners.length) return;
    this.wakePending = true;
    // After the caller's transaction has committed: the forwarder must not read before it.
    setImmediate(() => {
      this.wakePending = false;
      for (const l of this.listeners) l();
    });
  }
}
