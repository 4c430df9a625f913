// Adapter: passive capture of UDP datagrams on chosen ports. Supervises one
// `tcpdump -i IFACE -n -U --immediate-mode -w - FILTER` per interface and feeds each pcap stream
// to our own pure reader (pcap/pcap.ts), handing on every UDP frame with the interface it
// came from. Shared by the DHCP capture (device discovery) and the DNS name sensor (traffic).
import { createPcapParser, type PcapCounters, type PcapParser, type UdpFrame } from '../pcap/pcap.js';
import { systemBin } from '../sys/bin.js';
import { Supervisor, type SupervisorHealth } from './supervisor.js';

export interface UdpCaptureOptions {
  /** Prefix of each supervisor id: `<name>:<iface>` (conditions `sensor:<name>:<iface>`). */
  name: string;
  ifaces: readonly string[];
  /** tcpdump (BPF) filter, e.g. 'udp port 67 or udp port 68'. */
  filter: string;
  /** UDP ports the pcap reader yields (source or destination). */
  ports: readonly number[];
  now: () => number;
  onFrame: (frame: UdpFrame, iface: string) => void;
  onHealth: (h: SupervisorHealth) => void;
  /** Path of tcpdump (tests); default the system's tcpdump. */
  tcpdump?: string | undefined;
  /** Where each tcpdump's pid is recorded (SupervisorOptions.recordDir). */
  recordDir?: string | undefined;
  /** 'in': only frames the port received (`-Q in`), e.g. to tell where a sender sits. Default both. */
  direction?: 'in' | undefined;
}

export function zeroPcap(): PcapCounters {
  return { records: 0, frames: 0, skipped: 0, truncated: 0, corrupt: 0, resyncBytes: 0, overflows: 0, badHeader: 0 };
}

export class UdpCapture {
  private readonly sups: Supervisor[] = [];
  private readonly streams = new Map<string, { pid: number; parser: PcapParser }>();
  private readonly retired: PcapCounters = zeroPcap();

  constructor(private readonly o: UdpCaptureOptions) {}

  /** Starts one tcpdump per interface. Never throws for a failing program (health says so). */
  start(): void {
    for (const iface of this.o.ifaces) {
      const sup = new Supervisor({
        id: `${this.o.name}:${iface}`,
        argv: [this.o.tcpdump ?? systemBin('tcpdump'), '-i', iface, ...(this.o.direction === 'in' ? ['-Q', 'in'] : []), '-n', '-U', '--immediate-mode', '-w', '-', this.o.filter],
        now: this.o.now,
        killWithParent: true,
        recordDir: this.o.recordDir,
        onHealth: this.o.onHealth,
        onStdout: (chunk, pid) => this.push(iface, chunk, pid),
        backoff: { initialMs: 1000, maxMs: 60_000 },
      });
      this.sups.push(sup);
      sup.start();
    }
  }

  /** Stops every tcpdump and waits until they are gone. */
  async stop(): Promise<void> {
    await Promise.all(this.sups.map((s) => s.stop()));
    this.sups.length = 0;
  }

  /** Feeds a chunk of one tcpdump's stream; a new pid means a new stream (new pcap header). */
  push(iface: string, chunk: Uint8Array, pid: number): void {
    let s = this.streams.get(iface);
    if (s === undefined || s.pid !== pid) {
      if (s) addInto(this.retired, s.parser.counters());
      s = { pid, parser: createPcapParser({ ports: this.o.ports }) };
      this.streams.set(iface, s);
    }
    for (const frame of s.parser.push(chunk)) this.o.onFrame(frame, iface);
  }

  /** pcap-level counters summed over every stream so far. */
  pcap(): PcapCounters {
    const pcap = { ...this.retired };
    for (const s of this.streams.values()) addInto(pcap, s.parser.counters());
    return pcap;
  }

  /** Health of each tcpdump. */
  health(): SupervisorHealth[] {
    return this.sups.map((s) => s.status());
  }
}

function addInto(a: PcapCounters, b: Readonly<PcapCounters>): void {
  for (const k of Object.keys(a) as (keyof PcapCounters)[]) a[k] += b[k];
}
