// Adapter: passive DHCP capture. A tap on the box's one capture (sensors/captureHub.ts: one
// tcpdump on every port, our own pcap reader) for UDP 67/68 on the LAN-side interfaces, and decodes each frame into a client observation. Malformed or
// truncated packets are counted and dropped.
import type { SupervisorHealth } from '../sensors/supervisor.js';
import type { CaptureHub } from '../sensors/captureHub.js';
import { UdpCapture } from '../sensors/udpCapture.js';
import type { DhcpErrorReason } from './dhcp.js';
import { observationFromFrame } from './fromDhcp.js';
import type { Observation } from './model.js';
import type { PcapCounters, UdpFrame } from '../pcap/pcap.js';

export interface CaptureOptions {
  ifaces: readonly string[];
  now: () => number;
  vendorOf: (mac: string) => string | null;
  onObservation: (o: Observation) => void;
  onHealth: (h: SupervisorHealth) => void;
  /** The box's shared capture (sensors/captureHub.ts); without it, a capture of its own. */
  hub?: CaptureHub | undefined;
  /** argv prefix for tcpdump (tests); default the system's tcpdump. */
  tcpdump?: string | undefined;
  /** Where tcpdump's pid is recorded (SupervisorOptions.recordDir). */
  recordDir?: string | undefined;
}

export interface CaptureCounters {
  frames: number;
  observations: number;
  /** Dropped DHCP payloads by reason (malformed, truncated, not from a client, ...). */
  dropped: Partial<Record<DhcpErrorReason | 'not_client' | 'bad_mac', number>>;
  /** pcap-level counters summed over every stream so far. */
  pcap: PcapCounters;
}

export class DhcpCapture {
  private readonly udp: UdpCapture;
  readonly counters: Omit<CaptureCounters, 'pcap'> = { frames: 0, observations: 0, dropped: {} };

  constructor(private readonly o: CaptureOptions) {
    this.udp = new UdpCapture({
      name: 'dhcp', ifaces: o.ifaces, ports: [67, 68], hub: o.hub,
      now: o.now, onHealth: o.onHealth, tcpdump: o.tcpdump, recordDir: o.recordDir, onFrame: (f) => this.onFrame(f),
    });
  }

  /** Starts receiving DHCP frames. Never throws for a failing program (health says so). */
  start(): void { this.udp.start(); }

  async stop(): Promise<void> { await this.udp.stop(); }

  /** Feeds a chunk of one tcpdump's stream; a new pid means a new stream (new pcap header). */
  push(iface: string, chunk: Uint8Array, pid: number): void { this.udp.push(iface, chunk, pid); }

  private onFrame(frame: UdpFrame): void {
    this.counters.frames++;
    const r = observationFromFrame(frame, this.o.vendorOf);
    if (!r.ok) {
      this.counters.dropped[r.reason] = (this.counters.dropped[r.reason] ?? 0) + 1;
      return;
    }
    this.counters.observations++;
    this.o.onObservation(r.observation);
  }

  /** Counters for `utmctl status`. */
  status(): CaptureCounters & { capture: SupervisorHealth[] } {
    return { ...this.counters, dropped: { ...this.counters.dropped }, pcap: this.udp.pcap(), capture: this.udp.health() };
  }
}
