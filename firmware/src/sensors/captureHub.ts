// Adapter: the box's one packet capture. A single `tcpdump -i any -y LINUX_SLL2` serves every
// consumer (device discovery's DHCP, port evidence, the DNS name sensor) on every port, instead
// of one tcpdump per consumer and port (12 processes at 4 ports). Linux cooked v2 headers carry
// the interface index and whether the box sent the packet, so the consumers' interfaces and
// directions are told apart here, in code, and the BPF filter depends only on the UDP ports
// asked for: ports coming and going never restart the capture.
//
// No silent loss. tcpdump's default snaplen (262,144) makes each slot of the kernel's capture
// ring that large, so with --immediate-mode a 2 MiB ring held 8 packets: a burst of 1,000 DHCP
// packets reached us as a few hundred, "dropped by kernel". We capture 1,600 bytes (an Ethernet
// frame; longer records are counted as truncated) into a 4 MiB ring (about 2,400 slots), and ask
// tcpdump for its counters (SIGUSR1) so that every kernel drop is counted and shown.
import { readdirSync, readFileSync } from 'node:fs';
import { createPcapParser, type PcapCounters, type PcapParser, type UdpFrame } from '../pcap/pcap.js';
import { systemBin } from '../sys/bin.js';
import { Supervisor, type SupervisorHealth } from './supervisor.js';

/** What one consumer wants from the capture. */
export interface UdpTap {
  ifaces: readonly string[];
  /** UDP ports of interest. */
  ports: readonly number[];
  /** 'src': only datagrams sent FROM one of the ports (e.g. DNS answers); default either side. */
  portSide?: 'src' | 'either' | undefined;
  /** 'in': only frames the interface received; default both directions. */
  direction?: 'in' | 'both' | undefined;
  onFrame: (frame: UdpFrame, iface: string) => void;
}

export interface CaptureHubOptions {
  now: () => number;
  onHealth: (h: SupervisorHealth) => void;
  /** Path of tcpdump (tests); default the system's tcpdump. */
  tcpdump?: string | undefined;
  /** Where tcpdump's pid is recorded (SupervisorOptions.recordDir). */
  recordDir?: string | undefined;
  /** Interface index → name (tests); default /sys/class/net. */
  interfaces?: (() => Map<number, string>) | undefined;
  /** How often tcpdump is asked for its drop counters (default 10 s). */
  statsEveryMs?: number | undefined;
}

/** Bytes captured per packet (an Ethernet frame with a VLAN tag fits). */
export const SNAPLEN = 1600;
/** Kernel ring in KiB (tcpdump -B). */
export const RING_KIB = 4096;

/** Counters of the tcpdump side of the capture, summed over every run. */
export interface KernelCounters {
  /** Packets the kernel dropped because the ring was full (tcpdump "dropped by kernel"). */
  kernelDrops: number;
  /** Packets the filter accepted (tcpdump "received by filter"). */
  received: number;
}

/** The BPF filter for a set of taps: the union of their UDP ports (interfaces are told apart in code). */
export function hubFilter(taps: readonly Pick<UdpTap, 'ports' | 'portSide'>[]): string | null {
  const either = new Set<number>(); const src = new Set<number>();
  for (const t of taps) for (const p of t.ports) (t.portSide === 'src' ? src : either).add(p);
  for (const p of either) src.delete(p);
  const terms = [...[...either].sort((a, b) => a - b).map((p) => `udp port ${p}`), ...[...src].sort((a, b) => a - b).map((p) => `udp src port ${p}`)];
  return terms.length ? terms.join(' or ') : null;
}

/** Whether a frame seen on `iface` is one the tap asked for. */
export function tapWants(tap: UdpTap, frame: UdpFrame, iface: string): boolean {
  if (!tap.ifaces.includes(iface)) return false;
  if (tap.direction === 'in' && frame.outgoing === true) return false;
  if (tap.portSide === 'src') return tap.ports.includes(frame.srcPort);
  return tap.ports.includes(frame.srcPort) || tap.ports.includes(frame.dstPort);
}

/** Reads tcpdump's counters from one line of its statistics (on SIGUSR1 one line with commas,
 *  at exit one line each): "12 packets dropped by kernel", "2000 packets received by filter". */
export function parseStatsLine(line: string): Partial<KernelCounters> {
  const out: Partial<KernelCounters> = {};
  for (const m of line.matchAll(/(\d+) packets? (dropped by kernel|received by filter)/g)) {
    out[m[2] === 'dropped by kernel' ? 'kernelDrops' : 'received'] = Number(m[1]);
  }
  return out;
}

function sysInterfaces(): Map<number, string> {
  const out = new Map<number, string>();
  for (const name of readdirSync('/sys/class/net')) {
    try { out.set(Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim()), name); } catch { /* gone meanwhile */ }
  }
  return out;
}

export class CaptureHub {
  private readonly taps = new Set<UdpTap>();
  private sup: Supervisor | null = null;
  private filter: string | null = null;
  private stream: { pid: number; parser: PcapParser } | null = null;
  private readonly retired = zeroCounters();
  /** Kernel counters: the finished runs' sum, and the running one's last report by pid. */
  private readonly kernelDone: KernelCounters = { kernelDrops: 0, received: 0 };
  private kernelLive = { pid: -1, kernelDrops: 0, received: 0 };
  private names = new Map<number, string>();
  private namesReadAt = -Infinity;
  private unknownIfindex = 0;
  private statsTimer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(private readonly o: CaptureHubOptions) {}

  /** Adds a consumer; returns its removal. The capture restarts only if the port union changes. */
  add(tap: UdpTap): () => void {
    this.taps.add(tap);
    this.reconcile();
    return () => { this.taps.delete(tap); this.reconcile(); };
  }

  /** Starts capturing for the taps added so far (and those added later). */
  start(): void {
    this.running = true;
    this.reconcile();
    this.statsTimer = setInterval(() => this.askStats(), this.o.statsEveryMs ?? 10_000);
    this.statsTimer.unref();
  }

  /** Stops tcpdump and waits until it is gone. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
    await this.stopSupervisor();
  }

  /** pcap-level counters of every run so far, with the kernel's drops. */
  counters(): PcapCounters & KernelCounters {
    const c = { ...this.retired };
    if (this.stream) addInto(c, this.stream.parser.counters());
    return {
      ...c,
      kernelDrops: this.kernelDone.kernelDrops + this.kernelLive.kernelDrops,
      received: this.kernelDone.received + this.kernelLive.received,
    };
  }

  /** Health of the one tcpdump (none while no tap is added). */
  health(): SupervisorHealth[] {
    return this.sup ? [this.sup.status()] : [];
  }

  /** Feeds a chunk of tcpdump's stream; a new pid starts a new stream (tests call it directly). */
  push(chunk: Uint8Array, pid: number): void {
    if (this.stream?.pid !== pid) {
      if (this.stream) addInto(this.retired, this.stream.parser.counters());
      this.stream = { pid, parser: createPcapParser({ ports: this.ports(), maxBuffer: 4 << 20 }) };
    }
    for (const frame of this.stream.parser.push(chunk)) this.dispatch(frame);
  }

  private dispatch(frame: UdpFrame): void {
    if (frame.ifindex === undefined) return;
    const iface = this.ifaceOf(frame.ifindex);
    if (iface === null) { this.unknownIfindex++; return; }
    for (const tap of this.taps) if (tapWants(tap, frame, iface)) tap.onFrame(frame, iface);
  }

  /** Interface name of an index; re-reads the table (at most once a second) on a miss. */
  private ifaceOf(ifindex: number): string | null {
    const known = this.names.get(ifindex);
    if (known !== undefined) return known;
    const now = this.o.now();
    if (now - this.namesReadAt < 1000) return null;
    this.namesReadAt = now;
    this.names = (this.o.interfaces ?? sysInterfaces)();
    return this.names.get(ifindex) ?? null;
  }

  private ports(): number[] {
    return [...new Set([...this.taps].flatMap((t) => t.ports))];
  }

  private reconcile(): void {
    if (!this.running) return;
    const filter = hubFilter([...this.taps]);
    if (filter === this.filter) return;
    this.filter = filter;
    const old = this.sup;
    this.sup = null;
    const next = (): void => {
      if (!this.running || filter !== this.filter || filter === null) return;
      this.sup = new Supervisor({
        id: 'capture',
        argv: [this.o.tcpdump ?? systemBin('tcpdump'), '-i', 'any', '-y', 'LINUX_SLL2', '-s', String(SNAPLEN), '-B', String(RING_KIB),
          '-n', '-U', '--immediate-mode', '-w', '-', filter],
        now: this.o.now,
        killWithParent: true,
        recordDir: this.o.recordDir,
        onHealth: this.o.onHealth,
        onStdout: (chunk, pid) => this.push(chunk, pid),
        onLine: (line) => this.onStatsLine(line),
        // Ready once the socket is open: frames sent before that would not be seen.
        isReady: (line) => line.includes('listening on'),
        backoff: { initialMs: 1000, maxMs: 60_000 },
      });
      this.sup.start();
    };
    if (old) old.stop().then(next, next);
    else next();
  }

  private async stopSupervisor(): Promise<void> {
    const sup = this.sup;
    this.sup = null;
    this.filter = null;
    if (sup) await sup.stop();
  }

  /** SIGUSR1 makes tcpdump print its counters on stderr; onStatsLine takes them. */
  private askStats(): void {
    const pid = this.sup?.pid();
    if (pid === undefined) return;
    try { process.kill(pid, 'SIGUSR1'); } catch { /* exited meanwhile: its supervisor reports it */ }
  }

  private onStatsLine(line: string): void {
    const s = parseStatsLine(line);
    if (s.kernelDrops === undefined && s.received === undefined) return;
    const pid = this.sup?.pid() ?? -1;
    if (pid !== this.kernelLive.pid) {
      this.kernelDone.kernelDrops += this.kernelLive.kernelDrops;
      this.kernelDone.received += this.kernelLive.received;
      this.kernelLive = { pid, kernelDrops: 0, received: 0 };
    }
    // tcpdump's counters are cumulative for its run: keep the largest seen.
    if (s.kernelDrops !== undefined) this.kernelLive.kernelDrops = Math.max(this.kernelLive.kernelDrops, s.kernelDrops);
    if (s.received !== undefined) this.kernelLive.received = Math.max(this.kernelLive.received, s.received);
  }
}

function zeroCounters(): PcapCounters {
  return { records: 0, frames: 0, skipped: 0, truncated: 0, corrupt: 0, resyncBytes: 0, overflows: 0, badHeader: 0 };
}

function addInto(a: PcapCounters, b: Readonly<PcapCounters>): void {
  for (const k of Object.keys(a) as (keyof PcapCounters)[]) a[k] += b[k];
}
