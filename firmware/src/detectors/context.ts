// What every detector shares: scaled clock, allowlist, device identity and the finding helper.
import type { DeviceRef, Finding } from '../alerts/types.js';
import type { FlowRecord } from '../flows/parse.js';
import { CidrSet } from '../flows/cidr.js';
import type { AllowEntry, Clocked } from './thresholds.js';

export type DetectorName = AllowEntry['detectors'][number];

/** Optional reverse lookup (from the DNS sensor) so allowlist entries can match by name. */
export type NameOf = (ip: string) => string | undefined;

export interface DetectorContext {
  c: Clocked;
  /** Name of the allowlist entry that silences `detector` for this flow, if any. */
  allowed(flow: FlowRecord, detector: DetectorName): string | undefined;
}

interface CompiledEntry {
  e: AllowEntry;
  cidrs: CidrSet | undefined;
  ports: Array<[number, number]>;
}

/** Compile allowlist entries; `extra` adds named prefixes (e.g. the upstream collector). Throws CidrError. */
export function makeContext(c: Clocked, extra: readonly AllowEntry[] = [], nameOf?: NameOf): DetectorContext {
  const compiled: CompiledEntry[] = [...c.t.allowlist, ...extra].map((e) => ({
    e,
    cidrs: e.cidrs.length > 0 ? new CidrSet(e.cidrs) : undefined,
    ports: e.ports.map((p): [number, number] => (typeof p === 'number' ? [p, p] : p)),
  }));
  return {
    c,
    allowed(flow, detector) {
      for (const { e, cidrs, ports } of compiled) {
        if (!e.detectors.includes(detector)) continue;
        if (e.proto !== 'any' && e.proto !== flow.proto) continue;
        if (ports.length > 0) {
          const p = flow.remotePort;
          if (p === undefined || !ports.some(([a, b]) => p >= a && p <= b)) continue;
        }
        // An entry with neither prefixes nor names but with ports matches on ports alone;
        // an entry with nothing at all (e.g. an unfilled collector) matches nothing.
        if (cidrs === undefined && e.names.length === 0) {
          if (ports.length > 0) return e.name;
          continue;
        }
        if (cidrs?.has(flow.remoteIp)) return e.name;
        if (e.names.length > 0 && nameOf) {
          const n = nameOf(flow.remoteIp)?.toLowerCase();
          if (n && e.names.some((s) => n === s || n.endsWith(`.${s}`))) return e.name;
        }
      }
      return undefined;
    },
  };
}

/** Stable key for a LAN device: its MAC when known, else its address. */
export function deviceKey(f: { deviceMac: string | undefined; deviceIp: string }): string {
  return f.deviceMac ?? f.deviceIp;
}

export function deviceRef(f: { deviceMac: string | undefined; deviceIp: string }): DeviceRef {
  return { mac: f.deviceMac, ip: f.deviceIp };
}

/** Every detector consumes findings through this interface. */
export interface FlowDetector {
  readonly name: string;
  /** Feed one flow record; returns the findings it completes (usually none). */
  onFlow(flow: FlowRecord): Finding[];
  /** Drop window state older than the window relative to event time `now`. */
  evict(now: number): void;
  /** Entries currently held (for the memory benchmark and status page). */
  size(): number;
}
