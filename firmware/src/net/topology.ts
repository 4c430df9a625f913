// Pure decisions about the box's place in the network: which ports are Ethernet ports,
// which one faces the internet router, and what the office prefixes are.
import { formatCidr, parseCidr, type Cidr } from './ip.js';

export interface LinkFact {
  name: string;
  /** `linkinfo.info_kind` from `ip -d link`: absent for physical NICs. */
  kind?: string | undefined;
  linkType: string; // "ether", "loopback", …
  master?: string | undefined;
  mac?: string | undefined;
  /** Wi-Fi interfaces report link type ether too; they are never bridge ports. */
  wireless?: boolean | undefined;
}

export interface AddrFact {
  ifname: string;
  family: 4 | 6;
  local: string;
  prefixLen: number;
  scope: string; // "global", "link", "host"
}

export interface NetworkFacts {
  links: LinkFact[];
  addrs: AddrFact[];
  defaultGateways: string[];
  /** IP → MAC from the neighbour table. */
  neighbours: { ip: string; mac: string }[];
  /** Bridge forwarding database: which port a MAC was learned on. */
  fdb: { mac: string; port: string }[];
}

/** Ethernet ports: physical NICs, plus veth so the lab behaves like hardware. Sorted by name. */
export function ethernetPorts(links: LinkFact[]): string[] {
  return links
    .filter((l) => l.linkType === 'ether' && !l.wireless && (l.kind === undefined || l.kind === 'veth'))
    .map((l) => l.name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

export interface WanPick {
  wan: string;
  reason: 'gateway-seen' | 'first-port';
}

/** The port where the default gateway's MAC was learned, else the first port. */
export function pickWanPort(ports: string[], facts: Pick<NetworkFacts, 'defaultGateways' | 'neighbours' | 'fdb'>): WanPick | null {
  if (!ports.length) return null;
  for (const gw of facts.defaultGateways) {
    const mac = facts.neighbours.find((n) => n.ip === gw)?.mac;
    const port = mac && facts.fdb.find((f) => f.mac === mac && ports.includes(f.port))?.port;
    if (port) return { wan: port, reason: 'gateway-seen' };
  }
  return { wan: ports[0] as string, reason: 'first-port' };
}

/** Global-scope prefixes configured on the given interfaces (network address form). */
export function prefixesOn(addrs: AddrFact[], ifnames: string[]): string[] {
  const out = new Set<string>();
  for (const a of addrs) {
    if (!ifnames.includes(a.ifname) || a.scope !== 'global') continue;
    const c = networkOf(a);
    if (c) out.add(formatCidr(c));
  }
  return [...out];
}

/** Addresses of the box itself (all global ones). */
export function boxAddresses(addrs: AddrFact[]): string[] {
  return addrs.filter((a) => a.scope === 'global').map((a) => a.local);
}

function networkOf(a: AddrFact): Cidr | null {
  try {
    return parseCidr(`${a.local}/${a.prefixLen}`, { allowHostBits: true });
  } catch {
    return null; // the kernel reported something we do not read; it is simply not a LAN prefix
  }
}
