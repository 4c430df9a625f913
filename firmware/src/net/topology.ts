// Pure decisions about the box's place in the network: which ports are Ethernet ports,
// and what the office prefixes are (which port faces the router: net/portRoles.ts).
import { formatCidr, parseCidr, type Cidr } from './ip.js';
import { naturalOrder } from '../collections/order.js';

export interface LinkFact {
  name: string;
  /** `linkinfo.info_kind` from `ip -d link`: absent for physical NICs. */
  kind?: string | undefined;
  linkType: string; // "ether", "loopback", …
  master?: string | undefined;
  mac?: string | undefined;
  /** Wi-Fi interfaces report link type ether too; they are never bridge ports. */
  wireless?: boolean | undefined;
  /** Link up (the kernel's LOWER_UP): a cable is in and the peer is alive. */
  carrier?: boolean | undefined;
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
  /** IP → MAC from the neighbour table, with the device it was learned on and whether the
   *  kernel marked it as an IPv6 router (it sent router advertisements). */
  neighbours: { ip: string; mac: string; dev?: string | undefined; router?: boolean | undefined }[];
  /** Bridge forwarding database: which port a MAC was learned on. */
  fdb: { mac: string; port: string }[];
}

/** Ethernet ports: physical NICs, plus veth so the lab behaves like hardware. Sorted by name. */
export function ethernetPorts(links: LinkFact[]): string[] {
  return links
    .filter((l) => l.linkType === 'ether' && !l.wireless && (l.kind === undefined || l.kind === 'veth'))
    .map((l) => l.name)
    .sort(naturalOrder);
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
