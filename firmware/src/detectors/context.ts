// What every detector shares: scaled clock, allowlist, device identity and the finding helper.
import type { DeviceRef, Finding } from '../alerts/types.js';
import type { FlowRecord } from '../flows/parse.js';
import { CidrSet } from '../net/cidrSet.js';
import type { AllowEntry, Clocked } from './thresholds.js';
import type { RoutineEvidence } from './routine.js';

export type DetectorName = AllowEntry['detectors'][number];

/** Optional reverse lookup (from the DNS sensor) so allowlist entries can match by name. */
export type NameOf = (ip: string) => string | undefined;

/** What the office's name lookups say (officeNames.ts): a name for an address by its network,
 *  and whether a device looked up one of some names lately. Both at event time `now`. */
export interface NameEvidence {
  nameByNetwork(ip: string, now: number): string | undefined;
  deviceUsed(device: string, names: readonly string[], now: number): boolean;
}

export interface DetectorContext {
  c: Clocked;
  /** Name of the allowlist entry that silences `detector` for this flow, if any. */
  allowed(flow: FlowRecord, detector: DetectorName): string | undefined;
  /** How many office devices used this flow's destination (by network or name) lately; set by DetectorSet. */
  usedBy?: ((flow: FlowRecord) => { count: number; by: 'network' | 'name' }) | undefined;
  /** How many office devices were active lately (popularity's window); set by DetectorSet. */
  officeDevices?: ((now: number) => number) | undefined;
  /** The operator whose published network holds an address (serviceNetworks.ts); set by DetectorSet. */
  operatorOf?: ((ip: string) => string | undefined) | undefined;
  /** The flow's device's history with the destination's network (routine.ts); set by DetectorSet. */
  routine?: ((flow: FlowRecord) => RoutineEvidence | undefined) | undefined;
}

interface CompiledEntry {
  e: AllowEntry;
  cidrs: CidrSet | undefined;
  ports: Array<[number, number]>;
  appPorts: Array<[number, number]>;
}

const ranges = (ps: AllowEntry['ports']): Array<[number, number]> => ps.map((p): [number, number] => (typeof p === 'number' ? [p, p] : p));
const inRanges = (p: number | undefined, rs: Array<[number, number]>): boolean => p !== undefined && rs.some(([a, b]) => p >= a && p <= b);

/** Compile allowlist entries; `extra` adds named prefixes (e.g. the upstream collector). Names
 *  come from `evidence` when given (by address, else by network), else from `nameOf` alone. Throws CidrError. */
export function makeContext(c: Clocked, extra: readonly AllowEntry[] = [], nameOf?: NameOf, evidence?: NameEvidence): DetectorContext {
  // Port-only entries (the common case: NTP, DNS, calls) become one lookup per detector:
  // "proto/port" → entry name. Entries with prefixes or names are checked one by one.
  const byPort = new Map<DetectorName, Map<string, string>>();
  const others: CompiledEntry[] = [];
  for (const e of [...c.t.allowlist, ...extra]) {
    const ports = ranges(e.ports);
    if (e.cidrs.length === 0 && e.names.length === 0) {
      if (ports.length === 0) continue; // an unfilled entry (e.g. collector without address) matches nothing
      for (const d of e.detectors) {
        const m = byPort.get(d) ?? new Map<string, string>();
        byPort.set(d, m);
        for (const [a, b] of ports) for (let p = a; p <= b; p++) {
          for (const proto of e.proto === 'any' ? ['tcp', 'udp'] : [e.proto]) if (!m.has(`${proto}/${p}`)) m.set(`${proto}/${p}`, e.name);
        }
      }
      continue;
    }
    others.push({ e, cidrs: e.cidrs.length > 0 ? new CidrSet(e.cidrs) : undefined, ports, appPorts: ranges(e.appPorts) });
  }
  return {
    c,
    allowed(flow, detector) {
      if (flow.remotePort !== undefined) {
        const hit = byPort.get(detector)?.get(`${flow.proto}/${flow.remotePort}`);
        if (hit !== undefined) return hit;
      }
      let name: string | undefined | null = null; // looked up once per call, only if an entry needs it
      const now = flow.event === 'new' ? flow.start : flow.end;
      for (const { e, cidrs, ports, appPorts } of others) {
        if (!e.detectors.includes(detector)) continue;
        if (e.proto !== 'any' && e.proto !== flow.proto) continue;
        // An app's own port, to a server DNS did not name, while this device uses the app.
        if (evidence && inRanges(flow.remotePort, appPorts) && evidence.deviceUsed(deviceKey(flow), e.names, now)) return e.name;
        if (ports.length > 0 && !inRanges(flow.remotePort, ports)) continue;
        if (cidrs?.has(flow.remoteIp)) return e.name;
        if (e.names.length > 0 && (nameOf || evidence)) {
          if (name === null) name = (evidence ? evidence.nameByNetwork(flow.remoteIp, now) : nameOf?.(flow.remoteIp))?.toLowerCase();
          const n = name;
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
