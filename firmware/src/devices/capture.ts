// Adapter: passive DHCP capture. Supervises `tcpdump -i IFACE -n -U --immediate-mode -w - 'udp port 67 or udp
// port 68'` per LAN-side interface, feeds its pcap stream to our own parser and decoder, and
// hands client observations on. Malformed or truncated packets are counted and dropped.
import { systemBin } from '../sys/bin.js';
import { Supervisor, type SupervisorHealth } from '../sensors/supervisor.js';
import type { DhcpErrorReason } from './dhcp.js';
import { observationFromFrame } from './fromDhcp.js';
import type { Observation } from './model.js';
import { createPcapParser, type PcapCounters, type PcapParser } from './pcap.js';

export interface CaptureOptions {
  ifaces: readonly string[];
  now: () => number;
  vendorOf: (mac: string) => string | null;
  onObservation: (o: Observation) => void;
  onHealth: (h: SupervisorHealth) => void;
  /** argv prefix for tcpdump (tests); default the system's tcpdump. */
  tcpdump?: string | undefined;
}

export interface CaptureCounters {
  frames: number;
  observations: number;
  /** Dropped DHCP payloads by reason (malformed, truncated, not from a client, ...). */
  dropped: Partial<Record<DhcpErrorReason | 'not_client' | 'bad_mac', number>>;
  /** pcap-level counters summed over every stream so far. */
  pcap: PcapCounters;
}

const FILTER = 'udp port 67 or udp port 68';

function zeroPcap(): PcapCounters {
  return { records: 0, frames: 0, skipped: 0, truncated: 0, corrupt: 0, resyncBytes: 0, overflows: 0, badHeader: 0 };
}

export class DhcpCapture {
  private readonly sups: Supervisor[] = [];
  private readonly streams = new Map<string, { pid: number; parser: PcapParser }>();
  private readonly retired: PcapCounters = zeroPcap();
  readonly counters: Omit<CaptureCounters, 'pcap'> = { frames: 0, observations: 0, dropped: {} };

  constructor(private readonly o: CaptureOptions) {}

  /** Starts one tcpdump per interface. Never throws for a failing program (health says so). */
  start(): void {
    for (const iface of this.o.ifaces) {
      const sup = new Supervisor({
        id: `tcpdump:${iface}`,
        argv: [this.o.tcpdump ?? systemBin('tcpdump'), '-i', iface, '-n', '-U', '--immediate-mode', '-w', '-', FILTER],
        now: this.o.now,
        killWithParent: true,
        onHealth: this.o.onHealth,
        onStdout: (chunk, pid) => this.push(iface, chunk, pid),
        backoff: { initialMs: 1000, maxMs: 60_000 },
      });
      this.sups.push(sup);
      sup.start();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.sups.map((s) => s.stop()));
    this.sups.length = 0;
  }

  /** Feeds a chunk of one tcpdump's stream; a new pid means a new stream (new pcap header). */
  push(iface: string, chunk: Uint8Array, pid: number): void {
    let s = this.streams.get(iface);
    if (s === undefined || s.pid !== pid) {
      if (s) addInto(this.retired, s.parser.counters());
      s = { pid, parser: createPcapParser() };
      this.streams.set(iface, s);
    }
    for (const frame of s.parser.push(chunk)) {
      this.counters.frames++;
      const r = observationFromFrame(frame, this.o.vendorOf);
      if (!r.ok) {
        this.counters.dropped[r.reason] = (this.counters.dropped[r.reason] ?? 0) + 1;
        continue;
      }
      this.counters.observations++;
      this.o.onObservation(r.observation);
    }
  }

  /** Counters for `utmctl status`. */
  status(): CaptureCounters & { capture: SupervisorHealth[] } {
    const pcap = { ...this.retired };
    for (const s of this.streams.values()) addInto(pcap, s.parser.counters());
    return { ...this.counters, dropped: { ...this.counters.dropped }, pcap, capture: this.sups.map((s) => s.status()) };
  }
}

function addInto(a: PcapCounters, b: Readonly<PcapCounters>): void {
  for (const k of Object.keys(a) as (keyof PcapCounters)[]) a[k] += b[k];
}
