// The contract between what utmd tells the monitoring centre (alerts, conditions and their
// recovery, heartbeats, daily statistics) and how it gets there (outbox, sequence numbers,
// transports). Producers build an UpstreamMessage and hand it to an UpstreamSink; the sink
// gives it the next per-box sequence number, commits it to SQLite and delivers it in order.
import type { SdElement } from './rfc5424.js';

/** What a message is, which also decides what an overflowing outbox drops first:
 *  stats first, then heartbeat, then notice, then condition; alerts last. */
export type MessageClass = 'alert' | 'condition' | 'notice' | 'heartbeat' | 'stats';

/** Overflow drop order: lower ranks are dropped first. */
export const DROP_RANK: Record<MessageClass, number> = { stats: 0, heartbeat: 1, notice: 2, condition: 3, alert: 4 };

export interface UpstreamMessage {
  class: MessageClass;
  /** RFC 5424 MSGID, e.g. the alert kind, `heartbeat`, `stats`, `condition`, `recovery`. */
  msgId: string;
  /** Syslog severity 0..7. */
  severity: number;
  /** ms since epoch: when the event happened (not when it is sent). */
  timestamp: number;
  /** Our own SD elements. The sink adds `[meta sequenceId=…]` and the sequence in our element itself. */
  sd: SdElement[];
  /** The plain-language MSG (hostile text inside is escaped by the formatter). */
  text: string;
  /** The stored alert this message is about, if any. */
  alertId?: number | null | undefined;
}

/** Where producers put messages. `enqueue` is synchronous so it can run inside the same
 *  SQLite transaction as the alert it reports; it returns the message's sequence number. */
export interface UpstreamSink {
  enqueue(m: UpstreamMessage): number;
}

/** What `utmctl upstream status` and the technician's page show. */
export interface UpstreamStatus {
  transport: 'tls' | 'relp' | 'relp-tls' | 'tcp' | 'udp' | null;
  /** host:port of the collector, or null when none is provisioned. */
  peer: string | null;
  /** SHA-256 of the collector's certificate seen on the current or last TLS session (hex, colon-free). */
  peerCertSha256: string | null;
  connected: boolean;
  /** ms since epoch of the last change of `connected`. */
  connectedSince: number | null;
  lastConfirmedSeq: number | null;
  lastConfirmedAt: number | null;
  /** Messages waiting (committed, not yet confirmed). */
  queueDepth: number;
  queueBytes: number;
  /** created_at of the oldest waiting message. */
  oldestWaitingAt: number | null;
  /** Messages dropped by the overflow policy since the box was installed, per class. */
  overflowLost: Partial<Record<MessageClass, number>>;
  lastError: string | null;
  /** The next sequence number the box will give. */
  nextSeq: number;
}
