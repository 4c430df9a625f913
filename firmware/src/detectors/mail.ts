// Outbound mail abuse: a LAN device that is not a designated mail server opening SMTP to
// outside servers. Direct-to-MX (port 25) from a PC is suspicious on its own; submission
// (465/587) is normal towards the office's own provider, so there only a burst of many
// distinct servers in a short window counts (the Emotet pattern: stolen credentials, many relays).
import type { Finding } from '../alerts/types.js';
import { CidrSet } from '../net/cidrSet.js';
import type { FlowRecord } from '../flows/parse.js';
import { CappedMap } from '../collections/capped.js';
import { deviceKey, deviceRef, type DetectorContext, type FlowDetector } from './context.js';

interface DeviceMail {
  servers: Map<string, number>; // server ip → last attempt (event ms)
  attempts: number;
  lastDirect: number;
  lastBurst: number;
  lastSeen: number;
  /** Distinct servers in the last finding of this report period: a larger window is reported at once. */
  reported: number;
  /** Connections already counted (NEW and END of one connection are one attempt), oldest first. */
  conns: Set<number | string>;
}
const MAX_CONNS = 1024; // per device, to tell NEW from END of the same connection

const MAX_SERVERS = 512; // per device; more than enough to prove a burst

export class MailDetector implements FlowDetector {
  readonly name = 'mail';
  private readonly devices: CappedMap<string, DeviceMail>;
  private readonly mailServers: CidrSet;
  private readonly submission: CidrSet;
  private readonly ports: Set<number>;
  private readonly direct: Set<number>;

  constructor(private readonly ctx: DetectorContext) {
    const t = ctx.c.t;
    this.devices = new CappedMap(t.caps.devices);
    this.mailServers = new CidrSet(t.mailServers);
    this.submission = new CidrSet(t.mailSubmission);
    this.ports = new Set(t.mail.ports);
    this.direct = new Set(t.mail.directPorts);
  }

  size(): number { return this.devices.size; }

  onFlow(flow: FlowRecord): Finding[] {
    if (flow.direction !== 'outbound' || flow.proto !== 'tcp' || flow.event === 'update') return [];
    const port = flow.remotePort;
    if (port === undefined || !this.ports.has(port)) return [];
    if (this.mailServers.has(flow.deviceIp) || this.ctx.allowed(flow, 'mail') !== undefined) return [];
    if (!this.direct.has(port) && this.submission.has(flow.remoteIp)) return [];
    const c = this.ctx.c, m = c.t.mail;
    const now = flow.event === 'new' ? flow.start : flow.end;
    const d = this.devices.upsert(deviceKey(flow), () => ({ servers: new Map(), attempts: 0, lastDirect: -Infinity, lastBurst: -Infinity, lastSeen: now, reported: 0, conns: new Set() }));
    // NEW and END of one connection are the same attempt; count a server once per window anyway.
    d.lastSeen = now;
    const conn = flow.ctId ?? `${flow.devicePort ?? ''}|${flow.remoteIp}|${flow.start}`;
    if (!d.conns.has(conn)) {
      d.attempts++;
      d.conns.add(conn);
      if (d.conns.size > MAX_CONNS) for (const id of d.conns) { d.conns.delete(id); break; }
    }
    d.servers.delete(flow.remoteIp);
    d.servers.set(flow.remoteIp, now);
    const from = now - c.minutes(m.windowMinutes);
    for (const [ip, at] of d.servers) { if (at >= from && d.servers.size <= MAX_SERVERS) break; d.servers.delete(ip); }
    const out: Finding[] = [];
    const every = c.minutes(m.reportEveryMinutes);
    const distinct = d.servers.size;
    const base = {
      at: now, device: deviceRef(flow), direction: 'outbound' as const, action: 'none' as const,
    };
    // A finding that grows is reported as it grows (the pipeline folds it into one alert), so the
    // page and upstream say 30 servers when there were 30, not the 5 of the first sighting.
    const grew = distinct > d.reported;
    const added = Math.max(1, distinct - d.reported);
    if (distinct >= m.burstServers && (grew || now - d.lastBurst >= every)) {
      d.lastBurst = now;
      d.lastDirect = now; // the burst finding covers the direct-to-MX one
      d.reported = distinct;
      out.push({
        ...base, kind: 'mail_abuse', severity: 'danger', dedupKey: `mail_abuse:${deviceKey(flow)}`, count: added,
        remote: { ip: flow.remoteIp, port },
        params: { device: flow.deviceIp, servers: distinct, minutes: m.windowMinutes, port },
        evidence: { pattern: 'burst', distinctServers: distinct, windowMinutes: m.windowMinutes, attemptsSeen: d.attempts, servers: [...d.servers.keys()].slice(-20) },
      });
    } else if (this.direct.has(port) && (grew || now - d.lastDirect >= every)) {
      d.lastDirect = now;
      d.reported = distinct;
      out.push({
        ...base, kind: 'mail_abuse', severity: 'warning', dedupKey: `mail_abuse:${deviceKey(flow)}`, count: added,
        remote: { ip: flow.remoteIp, port },
        params: { device: flow.deviceIp, servers: distinct, minutes: m.windowMinutes, port },
        evidence: { pattern: 'direct_smtp', port, distinctServers: distinct, windowMinutes: m.windowMinutes, attemptsSeen: d.attempts },
      });
    }
    return out;
  }

  evict(now: number): void {
    const from = now - this.ctx.c.minutes(this.ctx.c.t.mail.reportEveryMinutes) - this.ctx.c.minutes(this.ctx.c.t.mail.windowMinutes);
    this.devices.sweep((d) => d.lastSeen < from);
  }
}
