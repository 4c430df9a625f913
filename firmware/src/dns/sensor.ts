// The DNS name sensor's decision step: one DNS answer seen on the LAN side (UDP payload, the
// client it was sent to, the server that sent it) → parsed → remembered in the name cache.
// Pure apart from its cache and counters. Every refusal is counted by reason, never thrown.
//
// Which answers count: only those sent *to an office address* (a LAN client asked), and only
// from a server the office really uses — the box itself (router mode: its own dnsmasq), an
// office address (the office router or a LAN DNS server in bridge mode), or one listed in
// `traffic.dnsNames.trustedServers`. Without that rule, malware could ask its own server on the
// internet for "client.wns.notify.windows.com", get its controller's address back, and have the
// name-based allowlist silence its own beacon.
import { NameCache, type NameEntry } from './names.js';
import { parseDnsResponse, type DnsErrorReason } from './wire.js';

export interface DnsNamesOptions {
  /** Office (LAN) addresses: the traffic feature's isLan. */
  isLan: (ip: string) => boolean;
  /** The box's own addresses (its dnsmasq answers in router mode). */
  boxAddresses: () => readonly string[];
  /** Extra resolvers outside the office whose answers are trusted (normalised address text). */
  trustedServers: readonly string[];
  cap: number;
  now: () => number;
  minHoldMs?: number | undefined;
  maxHoldMs?: number | undefined;
}

export type DnsIgnoreReason = 'not_lan_client' | 'untrusted_server';

export interface DnsCounts {
  /** Payloads handed in (captured frames or the benchmark's answers). */
  frames: number;
  /** Parsed answers (rcode 0, not truncated) from a trusted server to a LAN client. */
  answers: number;
  /** Addresses learned from them. */
  addresses: number;
  /** Answers refused by the parser, by reason. */
  errors: Partial<Record<DnsErrorReason, number>>;
  /** Answers not used, by reason. */
  ignored: Partial<Record<DnsIgnoreReason, number>>;
}

export class DnsNames {
  readonly cache: NameCache;
  readonly counts: DnsCounts = { frames: 0, answers: 0, addresses: 0, errors: {}, ignored: {} };
  private readonly trusted: ReadonlySet<string>;

  constructor(private readonly o: DnsNamesOptions) {
    this.cache = new NameCache({ cap: o.cap, now: o.now, minHoldMs: o.minHoldMs, maxHoldMs: o.maxHoldMs });
    this.trusted = new Set(o.trustedServers);
  }

  /** One DNS answer payload sent by `serverIp` (undefined: already known to be trusted) to
   *  `clientIp` at `at` ms. Returns how many addresses it named. Never throws. */
  onAnswer(payload: Uint8Array, clientIp: string, at: number, serverIp?: string): number {
    const c = this.counts;
    c.frames++;
    if (!this.o.isLan(clientIp)) return this.ignore('not_lan_client');
    if (serverIp !== undefined && !this.isTrusted(serverIp)) return this.ignore('untrusted_server');
    const r = parseDnsResponse(payload);
    if (!r.ok) {
      c.errors[r.reason] = (c.errors[r.reason] ?? 0) + 1;
      return 0;
    }
    c.answers++;
    const a = r.response.addresses;
    if (a.length > 0) {
      this.cache.add(a, at);
      c.addresses += a.length;
    }
    return a.length;
  }

  private isTrusted(ip: string): boolean {
    return this.trusted.has(ip) || this.o.isLan(ip) || this.o.boxAddresses().includes(ip);
  }

  private ignore(reason: DnsIgnoreReason): number {
    this.counts.ignored[reason] = (this.counts.ignored[reason] ?? 0) + 1;
    return 0;
  }

  /** The queried name for `ip`, if known and not expired. */
  nameOf(ip: string): string | undefined { return this.cache.nameOf(ip); }

  entry(ip: string): NameEntry | undefined { return this.cache.entry(ip); }

  /** Counters and cache size for `utmctl status`. */
  status(): DnsCounts & { names: number; capDropped: number } {
    const c = this.counts;
    return { ...c, errors: { ...c.errors }, ignored: { ...c.ignored }, names: this.cache.size, capDropped: this.cache.dropped };
  }
}
