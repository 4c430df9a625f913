// TEMPORARY bridge until the delivery half (outbox with sequence numbers, TLS/RELP, the real
// UpstreamSink and UpstreamStatus) lands: an UpstreamSink that formats the message as RFC 5424
// into today's OutboxRepo, and an UpstreamStatus read from that outbox and the UDP forwarder.
// The daemon swaps both for the real ones at merge; nothing else depends on this file.
import type { OutboxRepo } from '../store/outboxRepo.js';
import type { ForwarderStats } from './forwarder.js';
import type { UpstreamMessage, UpstreamSink, UpstreamStatus } from './contract.js';
import { formatRfc5424 } from './rfc5424.js';

const FACILITY_LOCAL0 = 16;

export interface OutboxBridgeOptions {
  outbox: OutboxRepo;
  deviceId: string;
  now: () => number;
  /** Collector host:port, or null when none is provisioned. */
  peer: string | null;
  /** The forwarder's counters (null without a forwarder). */
  stats: () => ForwarderStats | null;
  /** Called after a message is queued (wakes the forwarder). */
  onQueued?: (() => void) | undefined;
}

export class OutboxBridge implements UpstreamSink {
  private connected = false;
  private connectedSince: number | null = null;

  constructor(private readonly o: OutboxBridgeOptions) {}

  /** Queues the message; returns its outbox row id (stands in for the sequence number). */
  enqueue(m: UpstreamMessage): number {
    const payload = formatRfc5424({
      facility: FACILITY_LOCAL0, severity: m.severity, timestamp: m.timestamp, hostname: this.o.deviceId,
      appName: 'otasuke-utm', msgId: m.msgId, sd: m.sd, msg: m.text,
    });
    const id = this.o.outbox.add(m.alertId ?? null, payload, this.o.now());
    this.o.onQueued?.();
    return id;
  }

  /** The forwarder's reachability changed. */
  setConnected(ok: boolean): void {
    if (ok === this.connected && this.connectedSince !== null) return;
    this.connected = ok;
    this.connectedSince = this.o.now();
  }

  status(): UpstreamStatus | null {
    if (this.o.peer === null) return null;
    const s = this.o.stats();
    const pending = this.o.outbox.pending();
    // The UDP forwarder tells only failures; a send that worked means the path is up.
    if (this.connectedSince === null && s?.lastSentAt) {
      this.connected = true;
      this.connectedSince = s.lastSentAt;
    }
    return {
      transport: 'udp', peer: this.o.peer, peerCertSha256: null,
      connected: this.connected, connectedSince: this.connectedSince,
      lastConfirmedSeq: null, lastConfirmedAt: s?.lastSentAt ?? null,
      queueDepth: pending.count, queueBytes: 0, oldestWaitingAt: pending.oldest,
      overflowLost: {}, lastError: s?.lastError ?? null, nextSeq: 0,
    };
  }
}
