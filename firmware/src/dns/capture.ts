// Adapter: the DNS name sensor's capture. A tap on the box's one capture for UDP from port 53
// on the LAN-side interfaces (the same ones the DHCP capture
// uses): in router mode the box's own dnsmasq answers leave there, in bridge mode the office
// router's answers cross the bridge there. Each answer goes to `onAnswer` with the client it
// was sent to and the server that sent it; deciding what counts is DnsNames' job.
import type { SupervisorHealth } from '../sensors/supervisor.js';
import type { CaptureHub } from '../sensors/captureHub.js';
import { UdpCapture } from '../sensors/udpCapture.js';
import type { PcapCounters } from '../pcap/pcap.js';

export interface DnsCaptureOptions {
  ifaces: readonly string[];
  now: () => number;
  onAnswer: (payload: Uint8Array, clientIp: string, at: number, serverIp: string) => void;
  onHealth: (h: SupervisorHealth) => void;
  /** The box's shared capture (sensors/captureHub.ts); without it, a capture of its own. */
  hub?: CaptureHub | undefined;
  tcpdump?: string | undefined;
  /** Where tcpdump's pid is recorded (SupervisorOptions.recordDir). */
  recordDir?: string | undefined;
}

export class DnsCapture {
  private readonly udp: UdpCapture;

  constructor(o: DnsCaptureOptions) {
    this.udp = new UdpCapture({
      name: 'dns', ifaces: o.ifaces, ports: [53], portSide: 'src', hub: o.hub,
      now: o.now, onHealth: o.onHealth, tcpdump: o.tcpdump, recordDir: o.recordDir,
      // Answers only: a query *to* port 53 that the pcap reader also yields is not one.
      onFrame: (f) => { if (f.srcPort === 53) o.onAnswer(f.payload, f.dstIp, f.at, f.srcIp); },
    });
  }

  /** Starts receiving answers; never throws (health says when the capture fails). */
  start(): void { this.udp.start(); }

  async stop(): Promise<void> { await this.udp.stop(); }

  /** Feeds a chunk of one tcpdump's pcap stream (tests). */
  push(iface: string, chunk: Uint8Array, pid: number): void { this.udp.push(iface, chunk, pid); }

  status(): { pcap: PcapCounters; capture: SupervisorHealth[] } {
    return { pcap: this.udp.pcap(), capture: this.udp.health() };
  }
}
