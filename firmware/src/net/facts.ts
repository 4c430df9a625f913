// Adapter: reads the network facts from iproute2's JSON output, and creates the bridge in
// zero-config bridge mode. Commands run with argv arrays only.
import { existsSync } from 'node:fs';
import { systemBin } from '../sys/bin.js';
import { run, RunError } from '../sys/run.js';
import { parseFdb, parseNeighbourEntries, readBridgeFdb, readNeighbourTable } from './neighbours.js';
import type { AddrFact, LinkFact, NetworkFacts } from './topology.js';

const IP = systemBin('ip');

async function ipJson(args: string[]): Promise<unknown[]> {
  const r = await run([IP, ...args], { timeoutMs: 10_000, allowFailure: true });
  if (r.code !== 0 || !r.stdout.trim()) return [];
  const v: unknown = JSON.parse(r.stdout);
  if (!Array.isArray(v)) return [];
  const items: unknown[] = v;
  return items;
}

/** The listing, or an empty one when the tool fails (as ipJson does). */
async function readOr(read: () => Promise<string>): Promise<string> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof RunError) return '[]';
    throw e;
  }
}

type J = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Reads links (with carrier), addresses, default gateways, neighbours and (if `bridge` exists) its FDB. */
export async function readNetworkFacts(bridge?: string): Promise<NetworkFacts> {
  // one listing for links and addresses: `addr show -d` carries every link field used here
  // (a reading every 10 s: each `ip` is a process, and its garbage outlives a scavenge)
  const listing = await ipJson(['-j', '-d', 'addr', 'show']);
  const links: LinkFact[] = listing.map((x) => {
    const l = x as J;
    const info = l.linkinfo as J | undefined;
    const name = String(l.ifname);
    const wireless = existsSync(`/sys/class/net/${name}/wireless`) || existsSync(`/sys/class/net/${name}/phy80211`);
    const carrier = Array.isArray(l.flags) ? l.flags.includes('LOWER_UP') : undefined;
    return { name, kind: str(info?.info_kind), linkType: String(l.link_type), master: str(l.master), mac: str(l.address), wireless, carrier };
  });
  const addrs: AddrFact[] = [];
  for (const x of listing) {
    const l = x as J;
    for (const a of (l.addr_info as J[] | undefined) ?? []) {
      const family = a.family === 'inet' ? 4 : a.family === 'inet6' ? 6 : null;
      if (!family) continue;
      addrs.push({ ifname: String(l.ifname), family, local: String(a.local), prefixLen: Number(a.prefixlen), scope: String(a.scope) });
    }
  }
  const defaultGateways = [
    ...(await ipJson(['-j', 'route', 'show', 'default'])),
    ...(await ipJson(['-j', '-6', 'route', 'show', 'default'])),
  ]
    .map((r) => str((r as J).gateway))
    .filter((g): g is string => !!g);
  // The shared reader (net/neighbours.ts); a table that cannot be read is an empty one here,
  // as for the other iproute2 listings above.
  const neighbours = parseNeighbourEntries(await readOr(() => readNeighbourTable())).entries
    .map((n) => ({ ip: n.ip, mac: n.mac, dev: n.dev, router: n.router }));
  // Learned entries only: the ports' own addresses ("self", permanent) say nothing about a peer.
  const fdb = bridge && links.some((l) => l.name === bridge)
    ? parseFdb(await readOr(() => readBridgeFdb(bridge)), bridge).sightings.map((s) => ({ mac: s.mac, port: s.dev ?? '' }))
    : [];
  return { links, addrs, defaultGateways, neighbours, fdb };
}

/** Creates `bridge` if missing, enslaves `ports` and brings everything up. Idempotent. */
export async function ensureBridge(bridge: string, ports: string[], links: LinkFact[]): Promise<void> {
  if (!links.some((l) => l.name === bridge)) await run([IP, 'link', 'add', bridge, 'type', 'bridge']);
  for (const p of ports) {
    if (links.find((l) => l.name === p)?.master !== bridge) await run([IP, 'link', 'set', p, 'master', bridge]);
    await run([IP, 'link', 'set', p, 'up']);
  }
  await run([IP, 'link', 'set', bridge, 'up']);
}
