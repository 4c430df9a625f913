// Pure parsers of the kernel tables device discovery polls: `ip -j neigh` (IPv4 ARP and IPv6
// neighbour discovery), `bridge -j fdb` (which MAC sits behind which bridge port) and
// `nft -j list set` of the dynamic (MAC, IPv4) set the ruleset fills in the packet path.
// Input is whatever the tools print; anything that does not fit is skipped and counted.
import { isIP } from 'node:net';
import { z } from 'zod';
import { isMulticast, normaliseMac } from '../net/mac.js';

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
});
const FdbSchema = z.object({
  mac: z.string().max(32),
  ifname: z.string().max(32).optional(),
  master: z.string().max(32).optional(),
  state: z.string().max(20).optional(),
  flags: z.array(z.string().max(20)).optional(),
});

function jsonArray(text: string): unknown[] | null {
  try {
    const v: unknown = JSON.parse(text);
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

/** Parses `ip -j neigh` (v4 and v6 mixed); keeps entries with a link address that are not
 *  FAILED/INCOMPLETE/NOARP/PERMANENT, and only on `devs` when given. Never throws. */
export function parseNeighbours(text: string, devs?: readonly string[]): ParseOutcome {
  const list = jsonArray(text);
  if (list === null) return { sightings: [], skipped: 1 };
  const out: Sighting[] = [];
  let skipped = 0;
  for (const raw of list) {
    const r = NeighSchema.safeParse(raw);
    const mac = r.success ? stationMac(r.data.lladdr) : null;
    if (!r.success || mac === null || (r.data.state ?? []).some((s) => DEAD.has(s)) || (devs && !devs.includes(r.data.dev ?? ''))) { skipped++; continue; }
    const fam = isIP(r.data.dst);
    if (fam === 4) out.push({ mac, ipv4: r.data.dst, dev: r.data.dev });
    else if (fam === 6 && !r.data.dst.toLowerCase().startsWith('fe80:')) out.push({ mac, ipv6: r.data.dst.toLowerCase(), dev: r.data.dev });
    else if (fam === 6) out.push({ mac, dev: r.data.dev }); // link-local: the device exists, the address says little
    else skipped++;
  }
  return { sightings: out, skipped };
}

/** Parses `bridge -j fdb`: learned entries on `ports` of bridge `bridge` (not permanent, not
 *  the bridge's own addresses, not multicast). Never throws. */
export function parseFdb(text: string, bridge: string, ports: readonly string[]): ParseOutcome {
  const list = jsonArray(text);
  if (list === null) return { sightings: [], skipped: 1 };
  const out: Sighting[] = [];
  let skipped = 0;
  for (const raw of list) {
    const r = FdbSchema.safeParse(raw);
    const mac = r.success ? stationMac(r.data.mac) : null;
    if (!r.success || mac === null || r.data.master !== bridge || r.data.state === 'permanent' || (r.data.flags ?? []).includes('self') || !ports.includes(r.data.ifname ?? '')) { skipped++; continue; }
    out.push({ mac, dev: r.data.ifname });
  }
  return { sightings: out, skipped };
}

const ElemVal = z.object({ concat: z.tuple([z.string().max(32), z.string().max(64)]) });
const ElemSchema = z.union([ElemVal, z.object({ elem: z.object({ val: ElemVal }) })]);
const SetDocSchema = z.object({ nftables: z.array(z.unknown()) });

/** Parses `nft -j list set FAMILY TABLE NAME` of a `ether_addr . ipv4_addr` set. Never throws. */
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
      if (mac === null || isIP(ip) !== 4 || ip === '0.0.0.0') { skipped++; continue; }
      out.push({ mac, ipv4: ip });
    }
  }
  return { sightings: out, skipped };
}
