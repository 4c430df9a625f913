// Adapter: names office devices look up by themselves, as classification evidence. A tap on the
// box's one capture (sensors/captureHub.ts) for DNS queries (UDP to port 53) received on the
// LAN-side ports: the frame's sender MAC is the device, the question's name is matched against
// the rules' dnsHints (Windows' connectivity check, Apple's and Android's, update services, a
// console's connection test). Only the hint id travels on, never the device's name text; a
// query that is not a well-formed question is counted and dropped.
import type { SupervisorHealth } from '../sensors/supervisor.js';
import type { CaptureHub } from '../sensors/captureHub.js';
import { UdpCapture } from '../sensors/udpCapture.js';
import { readName } from '../dns/wire.js';
import { isMulticast, normaliseMac } from '../net/mac.js';
import { dnsHintOf, type FingerprintTable } from './fingerprints.js';
import type { Observation } from './model.js';
import type { UdpFrame } from '../pcap/pcap.js';

export type LookupDrop = 'not_query' | 'bad_name' | 'bad_mac';
export type LookupOutcome = { ok: true; observation: Observation } | { ok: false; reason: LookupDrop } | { ok: false; reason: 'no_hint' };

/** One captured DNS query → an observation carrying the matching dnsHint id. Pure; never throws. */
export function lookupFromFrame(f: UdpFrame, table: FingerprintTable, vendorOf: (mac: string) => string | null): LookupOutcome {
  const b = f.payload;
  // A query: to port 53, QR bit clear, opcode 0 (QUERY), at least one question.
  if (f.dstPort !== 53 || b.length < 17 || ((b[2] ?? 0) & 0xf8) !== 0 || (((b[4] ?? 0) << 8) | (b[5] ?? 0)) === 0) return { ok: false, reason: 'not_query' };
  const name = readName(b, 12);
  if (typeof name === 'string') return { ok: false, reason: 'bad_name' };
  const mac = normaliseMac(f.srcMac);
  if (mac === null || isMulticast(mac) || mac === '00:00:00:00:00:00') return { ok: false, reason: 'bad_mac' };
  const hint = dnsHintOf(table, name.name);
  if (hint === null) return { ok: false, reason: 'no_hint' };
  return { ok: true, observation: { mac, at: f.at, source: 'dns', vendor: vendorOf(mac), dnsHint: hint.id } };
}

export interface DnsLookupOptions {
  ifaces: readonly string[];
  table: FingerprintTable;
  now: () => number;
  vendorOf: (mac: string) => string | null;
  onObservation: (o: Observation) => void;
  onHealth: (h: SupervisorHealth) => void;
  hub?: CaptureHub | undefined;
  recordDir?: string | undefined;
}

export class DnsLookupCapture {
  private readonly udp: UdpCapture;
  readonly counters = { queries: 0, hints: 0, dropped: {} as Partial<Record<LookupDrop, number>> };

  constructor(private readonly o: DnsLookupOptions) {
    this.udp = new UdpCapture({
      name: 'dns-lookups', ifaces: o.ifaces, ports: [53], direction: 'in', hub: o.hub,
      now: o.now, onHealth: o.onHealth, recordDir: o.recordDir, onFrame: (f) => this.onFrame(f),
    });
  }

  /** Starts receiving queries. Never throws for a failing program (health says so). */
  start(): void { this.udp.start(); }

  async stop(): Promise<void> { await this.udp.stop(); }

  private onFrame(f: UdpFrame): void {
    if (f.dstPort !== 53) return; // answers are the traffic feature's
    this.counters.queries++;
    const r = lookupFromFrame(f, this.o.table, this.o.vendorOf);
    if (r.ok) { this.counters.hints++; this.o.onObservation(r.observation); return; }
    if (r.reason !== 'no_hint') this.counters.dropped[r.reason] = (this.counters.dropped[r.reason] ?? 0) + 1;
  }

  /** Counters for `utmctl status`. */
  status(): { queries: number; hints: number; dropped: Partial<Record<LookupDrop, number>> } {
    return { ...this.counters, dropped: { ...this.counters.dropped } };
  }
}
