// Scanning and fan-out, Zeek style: within a 5-minute window one device reaching more than
// 25 distinct hosts on one port (address scan: SMB 445, RDP 3389, Telnet 23 ...) or more than
// 15 ports on one host (port scan). Applies outbound and LAN-to-LAN. To keep browsers (which
// touch dozens of web hosts a minute) out, only unanswered attempts count, except on
// `alwaysCountPorts` where any connection counts.
// Memory per device: at most `scanKeysPerDevice` ports and as many hosts, each holding at most
// threshold+1 entries.
import type { Finding } from '../alerts/types.js';
import type { FlowRecord } from '../flows/parse.js';
import { CappedMap } from '../collections/capped.js';
import { deviceKey, deviceRef, type DetectorContext, type FlowDetector } from './context.js';

interface DeviceScan {
  byPort: CappedMap<number, Map<string, number>>;
  byHost: CappedMap<string, Map<number, number>>;
  reported: Map<string, number>;
  lastSeen: number;
}

/** Record `k` at `now` in a window map kept in touch order; returns the live count. */
function touch<K>(m: Map<K, number>, k: K, now: number, from: number, keep: number): number {
  m.delete(k);
  m.set(k, now);
  for (const [key, at] of m) { if (at >= from && m.size <= keep) break; m.delete(key); }
  return m.size;
}

export class ScanDetector implements FlowDetector {
  readonly name = 'scan';
  private readonly devices: CappedMap<string, DeviceScan>;
  private readonly always: Set<number>;

  constructor(private readonly ctx: DetectorContext) {
    this.devices = new CappedMap(ctx.c.t.caps.devices);
    this.always = new Set(ctx.c.t.scan.alwaysCountPorts);
  }

  size(): number { return this.devices.size; }

  onFlow(flow: FlowRecord): Finding[] {
    if (flow.direction === 'inbound' || flow.event === 'update') return [];
    const port = flow.remotePort;
    if (port === undefined) return [];
    const s = this.ctx.c.t.scan;
    // A refused TCP attempt still gets one reply (the RST); a UDP question answered once (DNS,
    // NTP) is a success, so only silence counts as a failed UDP attempt.
    const failed = flow.proto === 'tcp' ? flow.pktsIn <= s.failedMaxReplyPackets : flow.pktsIn === 0;
    if (!failed && !this.always.has(port)) return [];
    if (this.ctx.allowed(flow, 'scan') !== undefined) return [];
    const c = this.ctx.c;
    const now = flow.event === 'new' ? flow.start : flow.end;
    const from = now - c.minutes(s.windowMinutes);
    const keys = c.t.caps.scanKeysPerDevice;
    const dk = deviceKey(flow);
    const d = this.devices.upsert(dk, () => ({ byPort: new CappedMap(keys), byHost: new CappedMap(keys), reported: new Map(), lastSeen: now }));
    d.lastSeen = now;
    const hosts = touch(d.byPort.upsert(port, () => new Map()), flow.remoteIp, now, from, s.hostsPerPort + 1);
    const ports = touch(d.byHost.upsert(flow.remoteIp, () => new Map()), port, now, from, s.portsPerHost + 1);
    const out: Finding[] = [];
    const every = c.minutes(s.reportEveryMinutes);
    const dir = flow.direction;
    if (hosts > s.hostsPerPort) {
      const key = `p:${port}:${dir}`;
      if (now - (d.reported.get(key) ?? -Infinity) >= every) {
        d.reported.set(key, now);
        const targets = [...(d.byPort.peek(port)?.keys() ?? [])];
        out.push({
          kind: 'scan', severity: 'danger', dedupKey: `scan:${dk}:port:${port}:${dir}`, at: now,
          device: deviceRef(flow), remote: { ip: flow.remoteIp, port }, direction: dir, action: 'none', count: hosts,
          params: { device: flow.deviceIp, pattern: 'hosts', port, hosts, minutes: s.windowMinutes, lan: dir === 'lan' },
          evidence: { pattern: 'address_scan', port, distinctHosts: hosts, threshold: s.hostsPerPort, windowMinutes: s.windowMinutes, sampleHosts: targets.slice(-10), onlyUnanswered: !this.always.has(port) },
        });
      }
    }
    if (ports > s.portsPerHost) {
      const key = `h:${flow.remoteIp}`;
      if (now - (d.reported.get(key) ?? -Infinity) >= every) {
        d.reported.set(key, now);
        const seen = [...(d.byHost.peek(flow.remoteIp)?.keys() ?? [])];
        out.push({
          kind: 'scan', severity: 'danger', dedupKey: `scan:${dk}:host:${flow.remoteIp}`, at: now,
          device: deviceRef(flow), remote: { ip: flow.remoteIp }, direction: dir, action: 'none', count: ports,
          params: { device: flow.deviceIp, pattern: 'ports', remote: flow.remoteIp, ports, minutes: s.windowMinutes, lan: dir === 'lan' },
          evidence: { pattern: 'port_scan', host: flow.remoteIp, distinctPorts: ports, threshold: s.portsPerHost, windowMinutes: s.windowMinutes, samplePorts: seen.slice(-20) },
        });
      }
    }
    if (d.reported.size > 64) for (const [k, at] of d.reported) if (now - at >= every) d.reported.delete(k);
    return out;
  }

  evict(now: number): void {
    const c = this.ctx.c, s = c.t.scan;
    // A device's attempts matter for one window; its report times only for the report interval.
    // Most devices fail a connection now and then and report nothing: they go after the window.
    const from = now - c.minutes(s.windowMinutes), reportedFrom = now - c.minutes(s.reportEveryMinutes);
    this.devices.sweep((d) => {
      if (d.lastSeen >= from) return false;
      for (const at of d.reported.values()) if (at >= reportedFrom) return false;
      return true;
    });
  }
}
