// Generator of a realistic office day as ulogd2 NFCT JSON objects (the same shape utmd's UDP
// listener receives, so the datagrams can be replayed through it later). Deterministic per seed.
// Normal traffic: web browsing and SaaS (M365/Google) with DNS, push connections, Windows Update,
// NTP every 64 s, a NAS backup job, video calls, a large legitimate cloud upload at 14:10.
// Hidden in it: one beacon, one spam burst, one scan and one exfiltration (see `planted`).
// Output is produced minute by minute (`minutes()`), each minute sorted by flow end time,
// so memory stays small even for 5,000 devices.
// Beside the flows, the DNS answers a real client receives before connecting (`takeDns()` after
// each `minute()`): push, update and time service names (`knownName`), the planted beacon's name,
// and a share of browsing destinations, as real wire-format messages. They come from their own
// random stream, so the flows are the same with or without them.
import { rng } from '../helpers/rng.js';
import { answerFor } from '../helpers/dnsWire.js';

export interface OfficeDayOptions {
  devices: number;
  destinations: number;
  /** Browsing flows per minute for an active device in business hours (DNS included). */
  activeRate: number;
  /** Background flows per minute outside business hours. */
  idleRate: number;
  seed: number;
  /** Local midnight of the replayed day (ms). Default: Wed 2026-11-25 00:00 JST. */
  day0: number;
}

export const DEFAULT_DAY: OfficeDayOptions = {
  devices: 50, destinations: 20_000, activeRate: 70, idleRate: 3, seed: 42, day0: Date.UTC(2026, 10, 24, 15, 0, 0),
};

export interface PlantedCase { kind: string; deviceIp: string; what: string }

/** One DNS answer as the box would capture it: sent by the office resolver to a device at `at`. */
export interface DnsAnswer { at: number; clientIp: string; payload: Uint8Array }

export const LAN_PREFIX = '10.1.0.0/16';
const MIN = 60_000;
const H = 3_600_000;
/** The office's resolver (outside the office range: trusted by configuration in the benchmark). */
export const RESOLVER = '192.0.2.53';
const NTP = ['192.0.2.123', '192.0.2.124'];
const WU = Array.from({ length: 8 }, (_, i) => `203.0.113.${160 + i}`);
const PUSH = ['203.0.113.200', '203.0.113.201', '203.0.113.202', '203.0.113.203'];
const RELAY = ['203.0.113.220', '203.0.113.221', '203.0.113.222'];
const CLOUD = '203.0.113.50';
const NAS = '10.1.255.2';
const C2 = '198.51.100.66';
/** The name the planted beacon's malware looks up for its controller. */
export const C2_NAME = 'cdn-sync.example.net';
/** Share of browsing flows preceded by an answer the box sees (the rest hit the client's own cache). */
const BROWSE_LOOKUP = 0.3;
const EXFIL = '203.0.113.99';


/** LAN address of device i (10.1.1.1 upwards, 250 per /24). */
/** Names a DNS sensor would learn for the well-known services of the day (for allowlist names). */
export function knownName(ip: string): string | undefined {
  if (PUSH.includes(ip)) return 'client.wns.notify.windows.com';
  if (WU.includes(ip)) return 'download.windowsupdate.com';
  if (NTP.includes(ip)) return 'time.windows.com';
  return undefined;
}

export function deviceIp(i: number): string { return `10.1.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`; }
const destIp = (i: number): string => `44.${(i >> 8) & 255}.${i & 255}.${(i >> 16) + 1}`;

interface Flow { dev: number; dst: string; dport: number; proto: 6 | 17; start: number; end: number; ob: number; op: number; rb: number; rp: number }

let ctId = 1;
/** One NFCT destroy event as ulogd2's JSON output (after IP2STR) prints it. */
export function datagram(f: Flow, src = deviceIp(f.dev)): Record<string, unknown> {
  const s = Math.floor(f.start / 1000), e = Math.floor(f.end / 1000);
  return {
    timestamp: new Date(f.end).toISOString().slice(0, 19), dvc: 'Netfilter', 'oob.family': 2, 'oob.protocol': 0,
    'orig.ip.saddr.str': src, 'orig.ip.daddr.str': f.dst, 'orig.ip.protocol': f.proto,
    'orig.l4.sport': 32768 + (ctId % 28000), 'orig.l4.dport': f.dport, 'orig.raw.pktlen': f.ob, 'orig.raw.pktcount': f.op,
    'reply.ip.saddr.str': f.dst, 'reply.ip.daddr.str': src, 'reply.ip.protocol': f.proto,
    'reply.l4.sport': f.dport, 'reply.l4.dport': 32768 + (ctId % 28000), 'reply.raw.pktlen': f.rb, 'reply.raw.pktcount': f.rp,
    'ct.mark': 0, 'ct.id': ctId++, 'ct.event': 4,
    'flow.start.sec': s, 'flow.start.usec': (f.start % 1000) * 1000, 'flow.end.sec': e, 'flow.end.usec': (f.end % 1000) * 1000,
  };
}

export class OfficeDay {
  readonly o: OfficeDayOptions;
  readonly planted: PlantedCase[];
  private readonly r: () => number;
  private readonly scheduled = new Map<number, Flow[]>();
  /** DNS answers by the minute they are sent in, and the ones produced by the last minute(). */
  private readonly rd: () => number;
  private readonly scheduledDns = new Map<number, DnsAnswer[]>();
  private dns: DnsAnswer[] = [];
  private dnsId = 1;
  private readonly beaconDev: number;
  private readonly spamDev: number;
  private readonly scanDev: number;
  private readonly exfilDev: number;
  private readonly ntpPhase: number[];

  constructor(opts: Partial<OfficeDayOptions> = {}) {
    this.o = { ...DEFAULT_DAY, ...opts };
    this.r = rng(this.o.seed);
    this.rd = rng(this.o.seed ^ 0x5eed);
    const n = this.o.devices;
    this.beaconDev = 7 % n; this.spamDev = 12 % n; this.scanDev = 20 % n; this.exfilDev = 30 % n;
    this.planted = [
      { kind: 'beacon', deviceIp: deviceIp(this.beaconDev), what: `beacon every 300 s ± 5 s to ${C2}:443 all day` },
      { kind: 'mail_abuse', deviceIp: deviceIp(this.spamDev), what: '200 SMTP connections to 60 servers at 15:00' },
      { kind: 'scan', deviceIp: deviceIp(this.scanDev), what: '254 LAN hosts on 445 at 11:00 within 2 min' },
      { kind: 'upload', deviceIp: deviceIp(this.exfilDev), what: `1.2 GB to ${EXFIL} at 02:10` },
    ];
    this.ntpPhase = Array.from({ length: n }, () => this.r() * 64_000);
    this.scheduleLongFlows();
  }

  private at(h: number): number { return this.o.day0 + h * H; }

  private schedule(f: Flow): void {
    const m = Math.floor((f.end - this.o.day0) / MIN);
    const list = this.scheduled.get(m) ?? [];
    list.push(f);
    this.scheduled.set(m, list);
  }

  private scheduleLongFlows(): void {
    const r = this.r, n = this.o.devices;
    // Push connections (M365/Google notifications): each device, reconnecting every 30-90 min, all day.
    for (let d = 0; d < n; d++) {
      for (let t = this.at(0) + r() * 30 * MIN; t < this.at(24);) {
        const len = (30 + r() * 60) * MIN;
        // Keepalives scale with duration; notifications (mail, chat) add a variable amount.
        const notes = Math.floor(r() * r() * 40);
        const ob = Math.round(len / 1000 * 12 + notes * (300 + r() * 2000)), rb = Math.round(len / 1000 * 15 + notes * (800 + r() * 20_000));
        this.schedule({ dev: d, dst: PUSH[d % PUSH.length]!, dport: 443, proto: 6, start: t, end: Math.min(t + len, this.at(24) - 1), ob, op: Math.ceil(ob / 200), rb, rp: Math.ceil(rb / 400) });
        this.scheduleDns(t - 40, d, PUSH[d % PUSH.length]!, 60, ['wns.notify.trafficmanager.net']);
        t += len + r() * MIN;
      }
    }
    // Video calls: 1 per 5 devices, 30-75 min, symmetric ~1.5 Mbit/s, UDP 3478 to a relay.
    for (let k = 0; k < Math.ceil(n / 5); k++) {
      const d = Math.floor(r() * n), start = this.at(9.5 + r() * 7), len = (30 + r() * 45) * MIN;
      const bytes = Math.round((len / 1000) * 190_000);
      this.schedule({ dev: d, dst: RELAY[k % RELAY.length]!, dport: 3478, proto: 17, start, end: start + len, ob: bytes, op: Math.round(bytes / 1100), rb: Math.round(bytes * 1.2), rp: Math.round(bytes / 1000) });
    }
    // NAS backup job at 20:00 for a few PCs (LAN, large).
    for (let d = 0; d < Math.min(n, 5); d++) {
      const start = this.at(20 + d * 0.3);
      this.schedule({ dev: d, dst: NAS, dport: 445, proto: 6, start, end: start + 15 * MIN, ob: Math.round(2e9 + r() * 3e9), op: 2e6, rb: 5e6, rp: 1e6 });
    }
    // A large legitimate upload to cloud storage at a normal hour.
    const cloudDev = 3 % n;
    this.schedule({ dev: cloudDev, dst: CLOUD, dport: 443, proto: 6, start: this.at(14 + 10 / 60), end: this.at(14.5), ob: 9e8, op: 7e5, rb: 8e6, rp: 3e5 });
    // Planted exfiltration: 1.2 GB at 02:10 over 40 minutes.
    this.schedule({ dev: this.exfilDev, dst: EXFIL, dport: 443, proto: 6, start: this.at(2 + 10 / 60), end: this.at(2 + 50 / 60), ob: 1.2e9, op: 9e5, rb: 9e6, rp: 4e5 });
    // Planted spam burst: 200 connections to 60 servers, ports 25/587, 15:00-15:10.
    for (let k = 0; k < 200; k++) {
      const start = this.at(15) + r() * 10 * MIN;
      this.schedule({ dev: this.spamDev, dst: `198.51.100.${100 + (k % 60)}`, dport: k % 3 === 0 ? 587 : 25, proto: 6, start, end: start + 3000, ob: 5e4, op: 60, rb: 3e3, rp: 40 });
    }
    // Planted scan: 254 LAN hosts on 445 in two minutes, mostly unanswered.
    for (let k = 1; k <= 254; k++) {
      const start = this.at(11) + k * 450;
      this.schedule({ dev: this.scanDev, dst: `10.1.254.${k}`, dport: 445, proto: 6, start, end: start + 2000, ob: 120, op: 2, rb: k % 10 === 0 ? 60 : 0, rp: k % 10 === 0 ? 1 : 0 });
    }
  }

  /** An answer naming `ip` for device d at `at` (lookups of the long flows, sent in their minute). */
  private scheduleDns(at: number, d: number, ip: string, ttl: number, cnames: string[] = []): void {
    const m = Math.floor((at - this.o.day0) / MIN);
    const list = this.scheduledDns.get(m) ?? [];
    list.push(this.answer(at, d, knownName(ip) ?? `www.d${ip.replace(/\./g, '-')}.example`, ip, ttl, cnames));
    this.scheduledDns.set(m, list);
  }

  private answer(at: number, d: number, name: string, ip: string, ttl: number, cnames: string[] = []): DnsAnswer {
    this.dnsId = (this.dnsId + 1) & 0xffff;
    return { at, clientIp: deviceIp(d), payload: answerFor(name, [ip], { cnames, ttl, id: this.dnsId }) };
  }

  /** The DNS answers that go with the last minute() (sent before its flows), sorted by time. */
  takeDns(): DnsAnswer[] {
    const out = this.dns.sort((a, b) => a.at - b.at);
    this.dns = [];
    return out;
  }

  private businessLoad(hour: number): number {
    if (hour < 8 || hour >= 19) return 0;
    if (hour >= 12 && hour < 13) return 0.4;
    if (hour < 9 || hour >= 18) return 0.3;
    return 1;
  }

  /** Flows ending within minute m (0..1439) of the day, as datagram objects sorted by end time. */
  minute(m: number): Array<Record<string, unknown>> {
    const r = this.r, o = this.o;
    const t0 = o.day0 + m * MIN, hour = m / 60;
    // Each minute is produced once: its scheduled flows are handed over, not kept.
    const flows: Flow[] = this.scheduled.get(m) ?? [];
    this.scheduled.delete(m);
    const rd = this.rd;
    const dns = this.dns;
    dns.push(...(this.scheduledDns.get(m) ?? []));
    this.scheduledDns.delete(m);
    const load = this.businessLoad(hour);
    for (let d = 0; d < o.devices; d++) {
      // Browsing and SaaS: Poisson-ish count, Zipf-like destinations, a third of lookups are DNS.
      const rate = load > 0 ? o.activeRate * load * (0.5 + ((d * 7919) % 100) / 100) : o.idleRate;
      let k = Math.floor(rate) + (r() < rate % 1 ? 1 : 0);
      for (; k > 0; k--) {
        const end = t0 + r() * MIN;
        if (r() < 0.33) { flows.push({ dev: d, dst: RESOLVER, dport: 53, proto: 17, start: end - 30, end, ob: 70, op: 1, rb: 180, rp: 1 }); continue; }
        const idx = Math.floor(o.destinations * r() ** 3);
        const failed = r() < 0.01;
        const big = r() < 0.05;
        const rb = failed ? 0 : Math.round(2e3 + r() * (big ? 5e7 : 2e5));
        flows.push({ dev: d, dst: destIp(idx), dport: r() < 0.97 ? 443 : 80, proto: 6, start: end - (1 + r() * 120) * 1000, end,
          ob: failed ? 60 : Math.round(800 + r() * 2e4), op: failed ? 1 : 12, rb, rp: failed ? 0 : Math.max(1, Math.round(rb / 1400)) });
        if (rd() < BROWSE_LOOKUP) {
          const site = `d${idx}.example`;
          dns.push(this.answer(Math.max(t0, end - 121_000), d, rd() < 0.5 ? `www.${site}` : site, destIp(idx), 300, rd() < 0.3 ? [`${site}.cdn.example.net`] : []));
        }
      }
      // NTP every 64 s.
      const ph = this.ntpPhase[d]!;
      // The time service's name is looked up again about once an hour.
      if ((m + d) % 60 === 0) dns.push(this.answer(t0, d, knownName(NTP[d % 2]!)!, NTP[d % 2]!, 3600));
      for (let t = Math.ceil((m * MIN - ph) / 64_000) * 64_000 + ph; t < (m + 1) * MIN; t += 64_000) {
        const end = o.day0 + t + 40;
        flows.push({ dev: d, dst: NTP[d % 2]!, dport: 123, proto: 17, start: end - 40, end, ob: 76, op: 1, rb: 76, rp: 1 });
      }
      // Windows Update: on average one check an hour, lognormal sizes.
      if (r() < 1 / 60) {
        const end = t0 + r() * MIN;
        const wu = WU[Math.floor(r() * WU.length)]!;
        flows.push({ dev: d, dst: wu, dport: 443, proto: 6, start: end - 5000, end, ob: 3000 + Math.round(r() * 4000), op: 15, rb: Math.round(Math.exp(8 + r() * 10)), rp: 40 });
        dns.push(this.answer(Math.max(t0, end - 5040), d, knownName(wu)!, wu, 300, ['download.windowsupdate.com.edgesuite.net', 'a767.dscg3.akamai.net']));
      }
    }
    // Planted beacon: every 300 s ± 5 s, ~900 bytes.
    for (let t = Math.ceil((m * MIN) / 300_000) * 300_000; t < (m + 1) * MIN; t += 300_000) {
      const start = o.day0 + t + (r() * 10 - 5) * 1000;
      if (t % 3_600_000 === 0) dns.push(this.answer(Math.max(t0, start - 40), this.beaconDev, C2_NAME, C2, 300));
      flows.push({ dev: this.beaconDev, dst: C2, dport: 443, proto: 6, start, end: start + 800, ob: 400 + Math.round(r() * 30), op: 6, rb: 500 + Math.round(r() * 30), rp: 5 });
    }
    flows.sort((a, b) => a.end - b.end);
    return flows.map((f) => datagram(f));
  }

  /** All 1,440 minutes of the day in order. */
  *minutes(): Generator<Array<Record<string, unknown>>> {
    for (let m = 0; m < 1440; m++) yield this.minute(m);
  }
}
