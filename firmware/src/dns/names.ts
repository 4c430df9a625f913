// The name sensor's memory: address → the name a LAN client last looked up to reach it, so
// allowlist entries can match by name (rules/thresholds.json `names`) and technicians see the
// destination's name in alert evidence. Bounded (CappedMap, CLOCK eviction); time comes from
// the injected clock (the traffic feature passes event time).
//
// Hold time: a DNS TTL says how long the *answer* may be reused, not how long the connection
// it started lives. A push connection opened after one lookup lasts up to 90 minutes, and the
// flow detectors only see it when it ends (conntrack destroy), so each name is kept at least
// `minHoldMs` (default 3 h: the longest ordinary connection, 90 min, twice over) after the last
// answer that gave it, and at most `maxHoldMs` (default 24 h) however long the TTL says.
import { z } from 'zod';
import { CappedMap } from '../collections/capped.js';
import type { DnsAddress } from './wire.js';
import { materialized, Rows, type Deferred } from '../collections/rows.js';

/** The names as kept across a restart (traffic-windows.json): [address, name, CNAME end or null,
 *  expiry (event ms)]. A name is what a LAN client asked for: text, bounded like a DNS name. */
export const NameCacheSnapshotSchema = z.array(z.tuple([
  z.string().max(45), z.string().max(253), z.string().max(253).nullable(), z.number(),
])).max(1_000_000);
export type NameCacheSnapshot = z.infer<typeof NameCacheSnapshotSchema>;

export interface NameCacheOptions {
  /** Most addresses held; the least recently used go first when full. */
  cap: number;
  now: () => number;
  minHoldMs?: number | undefined;
  maxHoldMs?: number | undefined;
}

export interface NameEntry {
  /** The name the client asked for (what allowlist entries match). */
  name: string;
  /** The end of the CNAME chain, when different (evidence only). */
  canonical: string | undefined;
  expires: number;
}

export const DEFAULT_MIN_HOLD_MS = 3 * 3_600_000;
export const DEFAULT_MAX_HOLD_MS = 24 * 3_600_000;

export class NameCache {
  private readonly m: CappedMap<string, NameEntry>;
  private readonly minHold: number;
  private readonly maxHold: number;
  /** Answers stored, and lookups that found an expired entry. */
  readonly counts = { stored: 0, expired: 0 };

  constructor(private readonly o: NameCacheOptions) {
    this.m = new CappedMap(o.cap);
    this.minHold = o.minHoldMs ?? DEFAULT_MIN_HOLD_MS;
    this.maxHold = Math.max(this.minHold, o.maxHoldMs ?? DEFAULT_MAX_HOLD_MS);
  }

  /** Remembers addresses from one answer seen at `at` (ms). The latest answer for an address wins. */
  add(addresses: readonly DnsAddress[], at: number): void {
    for (const a of addresses) {
      const hold = Math.min(this.maxHold, Math.max(this.minHold, a.ttl * 1000));
      this.m.set(a.ip, { name: a.name, canonical: a.canonical, expires: at + hold });
      this.counts.stored++;
    }
  }

  /** The entry for `ip` if it has not expired by now(). */
  entry(ip: string): NameEntry | undefined {
    const e = this.m.get(ip);
    if (e === undefined) return undefined;
    if (e.expires < this.o.now()) {
      this.counts.expired++;
      this.m.delete(ip);
      return undefined;
    }
    return e;
  }

  /** The queried name for `ip`, or undefined (the detectors' `nameOf`). */
  nameOf(ip: string): string | undefined {
    return this.entry(ip)?.name;
  }

  /** Drops expired entries (full scan: call from a periodic timer, not per lookup). */
  sweep(): number {
    const now = this.o.now();
    return this.m.sweep((e) => e.expires < now);
  }

  get size(): number { return this.m.size; }

  /** The entries not expired at `now`, least recently used first, for a restart. */
  snapshot(now: number): NameCacheSnapshot { return materialized<NameCacheSnapshot>(this.snapshotRows(now)); }

  /** The same, read row by row when written (collections/rows.ts). */
  snapshotRows(now: number): Deferred<NameCacheSnapshot> {
    return Rows.of(() => this.m.keys(), (ip): NameCacheSnapshot[number] | undefined => {
      const e = this.m.peek(ip);
      return e !== undefined && e.expires >= now ? [ip, e.name, e.canonical ?? null, e.expires] : undefined;
    });
  }

  /** Takes back a snapshot; an address already known keeps the newer answer it has. Expired
   *  entries go as they would have (at lookup or sweep, against event time). */
  restore(s: NameCacheSnapshot): void {
    for (const [ip, name, canonical, expires] of s) {
      if (this.m.peek(ip) === undefined) this.m.set(ip, { name, canonical: canonical ?? undefined, expires });
    }
  }

  /** Entries dropped because the cap was reached. */
  get dropped(): number { return this.m.dropped; }

  /** Up to `limit` live entries (utmctl traffic.names). */
  list(limit: number): Array<{ ip: string } & NameEntry> {
    const now = this.o.now();
    const out: Array<{ ip: string } & NameEntry> = [];
    for (const [ip, e] of this.m.entries()) {
      if (out.length >= limit) break;
      if (e.expires >= now) out.push({ ip, ...e });
    }
    return out;
  }
}
