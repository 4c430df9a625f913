// The one reader of the kernel's tables of who is on the link: `ip -j neigh` (IPv4 ARP and
// IPv6 neighbour discovery), `bridge -j fdb` (which MAC sits behind which bridge port) and
// `nft -j list set` of the dynamic (MAC, IPv4) and (MAC, IPv6) sets the ruleset fills in the packet path.
// Device discovery (devices/kernelTables.ts), flow naming (traffic/neighbours.ts) and the port
// roles (net/facts.ts) all read them here. Input is whatever the tools print; anything that
// does not fit is skipped and counted. The two adapters at the bottom run the tools.
import { isIP } from 'node:net';
import { z } from 'zod';
import { systemBin } from '../sys/bin.js';
import { run } from '../sys/run.js';
import { isMulticast, normaliseMac } from './mac.js';

export interface Sighting {
  mac: string;
  ipv4?: string | undefined;
  ipv6?: string | undefined;
  /** Interface the kernel saw it on (bridge port for the FDB). */
  dev?: string | undefined;
}

export interface ParseOutcome {
  sightings: Sighting[];
  skipped: number;
}

const NeighSchema = z.object({
  dst: z.string().max(64),
  dev: z.string().max(32).optional(),
  lladdr: z.string().max(32).optional(),
  state: z.array(z.string().max(20)).optional(),
  /** Present (null) on a neighbour that announced itself as an IPv6 router. */
  router: z.null().optional(),
}).loose();
const FdbSchema = z.object({
  mac: z.string().max(32),
  ifname: z.string().max(32).optional(),
  master: z.string().max(32).optional(),
  state: z.string().max(20).optional(),
  flags: z.array(z.string().max(20)).optional(),
});

function jsonArray(text: string): unknown[] | null {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v : null;
  } catch {
    return null; // not JSON at all: the caller reports the whole output as skipped
  }
}

/** A unicast MAC that names a real station, normalised; else null. */
function stationMac(text: string | undefined): string | null {
  const mac = text === undefined ? null : normaliseMac(text);
  return mac === null || isMulticast(mac) || mac === '00:00:00:00:00:00' ? null : mac;
}

const DEAD = new Set(['FAILED', 'INCOMPLETE', 'NOARP', 'PERMANENT']);

/** One neighbour entry with a station MAC, as `ip -j neigh` lists it. */
export interface NeighbourEntry {
  /** The address, lower-case. */
  ip: string;
  mac: string;
  dev?: string | undefined;
  state: readonly string[];
  /** It announced itself as an IPv6 router. */
  router: boolean;
}

/** Every entry of `ip -j neigh` (v4 and v6) that names a station MAC, in any state; the
 *  others are counted as skipped. Never throws. */
export function parseNeighbourEntries(text: string): { entries: NeighbourEntry[]; skipped: number } {
  const list = jsonArray(text);
  if (list === null) return { entries: [], skipped: 1 };
  const entries: NeighbourEntry[] = [];
  let skipped = 0;
  for (const raw of list) {
    const r = NeighSchema.safeParse(raw);
    const mac = r.success ? stationMac(r.data.lladdr) : null;
    if (!r.success || mac === null || isIP(r.data.dst) === 0) { skipped++; continue; }
    entries.push({ ip: r.data.dst.toLowerCase(), mac, dev: r.data.dev, state: r.data.state ?? [], router: r.data.router === null });
  }
  return { entries, skipped };
}

/** Address → MAC of every entry (flows name their device by it). Never throws. */
export function neighbourMacs(text: string): Map<string, string> {
  return new Map(parseNeighbourEntries(text).entries.map((e) => [e.ip, e.mac]));
}

/** Parses `ip -j neigh` (v4 and v6 mixed) into device sightings: entries with a link address
 *  that are not FAILED/INCOMPLETE/NOARP/PERMANENT, and only on `devs` when given. Never throws. */
export function parseNeighbours(text: string, devs?: readonly string[]): ParseOutcome {
  const parsed = parseNeighbourEntries(text);
  const out: Sighting[] = [];
  let skipped = parsed.skipped;
  for (const e of parsed.entries) {
    if (e.state.some((s) => DEAD.has(s)) || (devs && !devs.includes(e.dev ?? ''))) { skipped++; continue; }
    if (isIP(e.ip) === 4) out.push({ mac: e.mac, ipv4: e.ip, dev: e.dev });
    else if (!e.ip.startsWith('fe80:')) out.push({ mac: e.mac, ipv6: e.ip, dev: e.dev });
    else out.push({ mac: e.mac, dev: e.dev }); // link-local: the device exists, the address says little
  }
  return { sightings: out, skipped };
}

/** Parses `bridge -j fdb`: learned station entries of bridge `bridge` (not permanent, not
 *  the ports' own addresses, not multicast), on `ports` when given. Never throws. */
export function parseFdb(text: string, bridge: string, ports?: readonly string[]): ParseOutcome {
  const list = jsonArray(text);
  if (list === null) return { sightings: [], skipped: 1 };
  const out: Sighting[] = [];
  let skipped = 0;
  for (const raw of list) {
    const r = FdbSchema.safeParse(raw);
    const mac = r.success ? stationMac(r.data.mac) : null;
    const port = r.success ? r.data.ifname : undefined;
    if (!r.success || mac === null || port === undefined || r.data.master !== bridge || r.data.state === 'permanent' || (r.data.flags ?? []).includes('self') || (ports && !ports.includes(port))) { skipped++; continue; }
    out.push({ mac, dev: port });
  }
  return { sightings: out, skipped };
}

const ElemVal = z.object({ concat: z.tuple([z.string().max(32), z.string().max(64)]) });
const ElemSchema = z.union([ElemVal, z.object({ elem: z.object({ val: ElemVal }) })]);
const SetDocSchema = z.object({ nftables: z.array(z.unknown()) });

/** Parses `nft -j list set FAMILY TABLE NAME` of a `ether_addr . ipv4_addr` or
 *  `ether_addr . ipv6_addr` set (`lan_seen`, `lan_seen6`). Never throws. */
export function parseMacIpSet(text: string): ParseOutcome {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { sightings: [], skipped: 1 }; // counted by the caller
  }
  const d = SetDocSchema.safeParse(doc);
  if (!d.success) return { sightings: [], skipped: 1 };
  const out: Sighting[] = [];
  let skipped = 0;
  for (const item of d.data.nftables) {
    const set = (item as { set?: { elem?: unknown } } | null)?.set;
    if (typeof set !== 'object' || set === null || !Array.isArray(set.elem)) continue;
    for (const raw of set.elem as unknown[]) {
      const r = ElemSchema.safeParse(raw);
      if (!r.success) { skipped++; continue; }
      const [m, ip] = 'concat' in r.data ? r.data.concat : r.data.elem.val.concat;
      const mac = stationMac(m);
      const family = isIP(ip);
      if (mac === null || family === 0 || ip === '0.0.0.0' || ip === '::') { skipped++; continue; }
      out.push(family === 4 ? { mac, ipv4: ip } : { mac, ipv6: ip });
    }
  }
  return { sightings: out, skipped };
}

/** Runs `ip -j neigh show` (every family, every device). Throws RunError. */
export async function readNeighbourTable(timeoutMs = 10_000): Promise<string> {
  return (await run([systemBin('ip'), '-j', 'neigh', 'show'], { timeoutMs, maxOutput: 8 * 1024 * 1024 })).stdout;
}

/** Runs `bridge -j fdb show br BRIDGE`. Throws RunError. */
export async function readBridgeFdb(bridge: string, timeoutMs = 10_000): Promise<string> {
  return (await run([systemBin('bridge'), '-j', 'fdb', 'show', 'br', bridge], { timeoutMs, maxOutput: 8 * 1024 * 1024 })).stdout;
}
