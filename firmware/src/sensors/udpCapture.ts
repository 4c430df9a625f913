// Adapter: passive capture of UDP datagrams on chosen ports and interfaces, as one tap on the
// box's shared capture (sensors/captureHub.ts: one `tcpdump -i any` for every consumer and
// port). Used by the DHCP capture (device discovery), port evidence and the DNS name sensor.
// Without a shared hub (tools, benches) it runs a hub of its own, the same way.
import { createPcapParser, type PcapCounters, type PcapParser, type UdpFrame } from '../pcap/pcap.js';
import { CaptureHub, tapWants, type KernelCounters, type UdpTap } from './captureHub.js';
import type { SupervisorHealth } from './supervisor.js';

export interface UdpCaptureOptions {
  /** Names this consumer in health and counters. */
  name: string;
  ifaces: readonly string[];
  /** UDP ports wanted (source or destination, or source only with portSide 'src'). */
  ports: readonly number[];
  /** 'src': only datagrams sent from one of the ports (e.g. DNS answers). Default either side. */
  portSide?: 'src' | undefined;
  now: () => number;
  onFrame: (frame: UdpFrame, iface: string) => void;
  onHealth: (h: SupervisorHealth) => void;
  /** The box's shared capture; without it the capture runs a hub of its own. */
  hub?: CaptureHub | undefined;
  /** Path of tcpdump (tests; only for a hub of its own). */
  tcpdump?: string | undefined;
  /** Where tcpdump's pid is recorded (only for a hub of its own). */
  recordDir?: string | undefined;
  /** 'in': only frames the port received, e.g. to tell where a sender sits. Default both. */
  direction?: 'in' | undefined;
}

export function zeroPcap(): PcapCounters {
  return { records: 0, frames: 0, skipped: 0, truncated: 0, corrupt: 0, resyncBytes: 0, overflows: 0, badHeader: 0 };
}

export class UdpCapture {
  private readonly tap: UdpTap;
  private readonly hub: CaptureHub;
  private readonly ownHub: boolean;
  private remove: (() => void) | null = null;
  /** Streams fed through push() (tests, benches), one per interface. */
  private readonly streams = new Map<string, { pid: number; parser: PcapParser }>();
  private readonly retired: PcapCounters = zeroPcap();

  constructor(private readonly o: UdpCaptureOptions) {
    this.tap = { ifaces: o.ifaces, ports: o.ports, portSide: o.portSide, direction: o.direction, onFrame: o.onFrame };
    this.ownHub = o.hub === undefined;
    this.hub = o.hub ?? new CaptureHub({ now: o.now, onHealth: o.onHealth, tcpdump: o.tcpdump, recordDir: o.recordDir });
  }

  /** Starts receiving frames. Never throws for a failing program (health says so). */
  start(): void {
    if (this.remove || this.o.ifaces.length === 0) return;
    this.remove = this.hub.add(this.tap);
    if (this.ownHub) this.hub.start();
  }

  /** Stops receiving; a hub of its own stops and waits until tcpdump is gone. */
  async stop(): Promise<void> {
    this.remove?.();
    this.remove = null;
    if (this.ownHub) await this.hub.stop();
  }

  /** Feeds a pcap stream seen on one interface (tests, benches); a new pid starts a new stream. */
  push(iface: string, chunk: Uint8Array, pid: number): void {
    let s = this.streams.get(iface);
    if (s === undefined || s.pid !== pid) {
      if (s) addInto(this.retired, s.parser.counters());
      s = { pid, parser: createPcapParser({ ports: this.o.ports }) };
      this.streams.set(iface, s);
    }
    for (const frame of s.parser.push(chunk)) if (tapWants(this.tap, frame, iface)) this.o.onFrame(frame, iface);
  }

  /** pcap-level counters (of the shared capture, and of streams fed by push), with kernel drops. */
  pcap(): PcapCounters & KernelCounters {
    const pcap = { ...this.retired };
    for (const s of this.streams.values()) addInto(pcap, s.parser.counters());
    const hub = this.hub.counters();
    addInto(pcap, hub);
    return { ...pcap, kernelDrops: hub.kernelDrops, received: hub.received };
  }

  /** Health of the capture's tcpdump. */
  health(): SupervisorHealth[] {
    return this.hub.health();
  }
}

function addInto(a: PcapCounters, b: Readonly<PcapCounters>): void {
  for (const k of Object.keys(a) as (keyof PcapCounters)[]) a[k] += b[k];
}
