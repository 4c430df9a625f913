// Adapter: collects the evidence the port-role rules (net/portRoles.ts) judge, continuously.
//  - Links: /sys/class/net/*/carrier is read every `carrierPollMs` (file reads, no process);
//    a port that appears, disappears or changes carrier is re-read at once, and evidence it
//    gathered before the change no longer counts.
//  - Kernel tables (links, addresses, routes, neighbours, bridge FDB) every `tablesPollMs`
//    and at once after any change; a default gateway not yet in the neighbour table gets one
//    empty UDP datagram (discard port) so the kernel resolves its MAC.
//  - DHCP on every port, received frames only (`tcpdump -Q in`, the shared UdpCapture): a
//    server's reply (67 → 68) or a client's request (68 → 67), never the box's own.
// Each new reading goes to `onReading`; the daemon plans from it.
import { createSocket } from 'node:dgram';
import { readdir, readFile } from 'node:fs/promises';
import type { UdpFrame } from '../pcap/pcap.js';
import type { CaptureHub } from '../sensors/captureHub.js';
import { UdpCapture } from '../sensors/udpCapture.js';
import type { SupervisorHealth } from '../sensors/supervisor.js';
import type { PortObservations } from '../policy/network.js';
import type { EvidenceKind, PortSighting } from '../net/portRoles.js';
import { readNetworkFacts } from '../net/facts.js';
import { parseCidr, rangeHas, readAddress } from '../net/ip.js';
import { ethernetPorts, type NetworkFacts } from '../net/topology.js';
import { Poller } from '../time/poller.js';

export interface PortWatchOptions {
  bridge: string;
  now: () => number;
  onReading: (facts: NetworkFacts, obs: PortObservations) => void;
  onHealth: (h: SupervisorHealth) => void;
  onError: (what: string, e: unknown) => void;
  carrierPollMs?: number | undefined;
  tablesPollMs?: number | undefined;
  /** Root of the links directory (tests); default /sys/class/net. */
  sysNet?: string | undefined;
  /** The box's shared capture (sensors/captureHub.ts); without it, a capture of its own. */
  hub?: CaptureHub | undefined;
  /** Path of tcpdump (tests). */
  tcpdump?: string | undefined;
  /** Where the capture's tcpdump pid is recorded, so a restarted utmd ends it after a kill -9. */
  recordDir?: string | undefined;
}

/** Pure: the evidence one captured DHCP frame gives about the port it arrived on, or null. */
export function dhcpSighting(frame: UdpFrame, port: string, ownMacs: ReadonlySet<string>): PortSighting | null {
  const from = frame.srcMac.toLowerCase();
  if (ownMacs.has(from)) return null;
  let kind: EvidenceKind | null = null;
  if (frame.srcPort === 67 && frame.dstPort === 68) kind = 'dhcp-server';
  else if (frame.srcPort === 68 && frame.dstPort === 67) kind = 'dhcp-client';
  return kind === null ? null : { port, kind, at: frame.at, from };
}

/** How long after a nudge the kernel has normally resolved the gateway (ms). */
export const NUDGE_SETTLE_MS = 300;

const LINK_LOCAL_V6 = parseCidr('fe80::/10');

/** A default gateway without a neighbour entry gets one empty UDP datagram (discard port), so
 *  the kernel resolves its MAC; link-local gateways (and text that is not one address, read by
 *  net/ip) are left alone. Returns how many it nudged. */
export function nudgeGateways(facts: NetworkFacts, onError: (what: string, e: unknown) => void): number {
  let n = 0;
  for (const gw of facts.defaultGateways) {
    const a = readAddress(gw);
    if (!a.ok || rangeHas(LINK_LOCAL_V6, a.family, a.value) || facts.neighbours.some((x) => x.ip === gw || x.ip === a.text)) continue;
    const sock = createSocket(a.family === 4 ? 'udp4' : 'udp6');
    sock.on('error', (e) => {
      onError(`resolving gateway ${gw}`, e);
      sock.close();
    });
    n++;
    sock.send(Buffer.alloc(0), 9, gw, () => sock.close());
  }
  return n;
}

export class PortWatch {
  private linkPoll: Poller | null = null;
  private tablePoll: Poller | null = null;
  private capture: UdpCapture | null = null;
  private capturePorts = '';
  private links = new Map<string, boolean>();
  private readonly changedAt: Record<string, number> = {};
  private readonly dhcp = new Map<string, PortSighting>();
  private ownMacs = new Set<string>();
  private reading: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private debounce: NodeJS.Timeout | null = null;
  private followUp = false;
  readonly counts = { readings: 0, linkChanges: 0, dhcpSightings: 0, nudges: 0, errors: 0, lastReadMs: 0, maxReadMs: 0 };

  constructor(private readonly o: PortWatchOptions) {}

  /** Starts the link poll, the table poll and the capture; the first reading follows at once. */
  async start(): Promise<void> {
    this.stopped = false;
    this.links = await this.readLinks();
    this.linkPoll = new Poller({ everyMs: this.o.carrierPollMs ?? 1000, run: () => this.pollLinks(), ref: true });
    this.tablePoll = new Poller({ everyMs: this.o.tablesPollMs ?? 10_000, run: () => this.refresh(), ref: true });
    this.linkPoll.start();
    this.tablePoll.start();
    this.refresh();
  }

  /** Stops timers and the capture; waits for a reading under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.linkPoll?.stop();
    this.tablePoll?.stop();
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = null;
    await this.reading;
    await this.capture?.stop();
    this.capture = null;
  }

  /** Reads the tables again now (coalesced with a reading under way). */
  refresh(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.read().finally(() => {
      this.reading = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.refresh();
      }
    });
  }

  status(): Record<string, unknown> {
    return { ...this.counts, links: Object.fromEntries(this.links), dhcp: [...this.dhcp.values()], capture: this.capture?.health() ?? [] };
  }

  private async read(): Promise<void> {
    try {
      const t0 = performance.now();
      const facts = await readNetworkFacts(this.o.bridge);
      if (this.stopped) return;
      this.counts.readings++;
      this.counts.lastReadMs = Math.round(performance.now() - t0);
      this.counts.maxReadMs = Math.max(this.counts.maxReadMs, this.counts.lastReadMs);
      this.ownMacs = new Set(facts.links.map((l) => l.mac?.toLowerCase()).filter((m): m is string => !!m));
      this.ensureCapture(ethernetPorts(facts.links).filter((p) => p !== this.o.bridge));
      this.nudgeGateways(facts);
      this.o.onReading(facts, { sightings: [...this.dhcp.values()], changedAt: { ...this.changedAt }, now: this.o.now() });
    } catch (e) {
      this.counts.errors++;
      this.o.onError('reading the network tables', e);
    }
  }

  private ensureCapture(ports: string[]): void {
    const key = ports.join(',');
    if (key === this.capturePorts) return;
    this.capturePorts = key;
    const old = this.capture;
    this.capture = null;
    void old?.stop();
    if (!ports.length) return;
    this.capture = new UdpCapture({
      name: 'ports', ifaces: ports, ports: [67, 68], direction: 'in', hub: this.o.hub,
      now: this.o.now, onHealth: this.o.onHealth, tcpdump: this.o.tcpdump, recordDir: this.o.recordDir, onFrame: (f, iface) => this.onFrame(f, iface),
    });
    this.capture.start();
  }

  private onFrame(frame: UdpFrame, iface: string): void {
    const s = dhcpSighting(frame, iface, this.ownMacs);
    if (!s) return;
    this.counts.dhcpSightings++;
    const key = `${s.port}|${s.kind}`;
    const known = this.dhcp.has(key);
    this.dhcp.set(key, s);
    // New evidence re-plans soon; a repeat only refreshes its time.
    if (!known && !this.debounce) {
      this.debounce = setTimeout(() => {
        this.debounce = null;
        this.refresh();
      }, 200);
    }
  }

  /** Nudges unresolved gateways; reads the tables again shortly after, when it did. */
  private nudgeGateways(facts: NetworkFacts): void {
    const n = nudgeGateways(facts, (what, e) => this.o.onError(what, e));
    this.counts.nudges += n;
    // One follow-up per nudge, never a chain: a gateway that does not answer is tried again
    // at the next regular reading.
    const followUp = this.followUp;
    this.followUp = false;
    if (n && !followUp && !this.debounce) {
      this.debounce = setTimeout(() => {
        this.debounce = null;
        this.followUp = true;
        this.refresh();
      }, NUDGE_SETTLE_MS);
    }
  }

  private async pollLinks(): Promise<void> {
    if (this.stopped) return;
    let now: Map<string, boolean>;
    try {
      now = await this.readLinks();
    } catch (e) {
      this.counts.errors++;
      this.o.onError('reading link states', e);
      return;
    }
    let changed = false;
    const at = this.o.now();
    for (const name of new Set([...now.keys(), ...this.links.keys()])) {
      if (now.get(name) === this.links.get(name)) continue;
      changed = true;
      this.changedAt[name] = at;
      for (const k of [...this.dhcp.keys()]) if (k.startsWith(`${name}|`)) this.dhcp.delete(k);
    }
    this.links = now;
    if (changed) {
      this.counts.linkChanges++;
      this.refresh();
    }
  }

  /** Interface name → carrier, from sysfs (a link that is down reports no carrier). */
  private async readLinks(): Promise<Map<string, boolean>> {
    const root = this.o.sysNet ?? '/sys/class/net';
    const out = new Map<string, boolean>();
    for (const name of await readdir(root)) {
      const text = await readFile(`${root}/${name}/carrier`, 'utf8').catch((e: unknown) => {
        void e; // EINVAL while the interface is administratively down: no carrier
        return '0';
      });
      out.set(name, text.trim() === '1');
    }
    return out;
  }
}
