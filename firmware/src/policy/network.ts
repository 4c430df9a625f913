// Pure: decides mode, ports and office prefixes from the config, the network facts and what
// each port has seen (net/portRoles.ts). Port roles come from evidence; the config's port
// names are a claim the evidence must confirm before the box serves anything on a port.
import type { Config } from '../config/schema.js';
import type { Interfaces, Mode } from '../nft/policy.js';
import { boxAddresses, ethernetPorts, prefixesOn, type NetworkFacts } from '../net/topology.js';
import { workOutPorts, type PortRoles, type PortSighting } from '../net/portRoles.js';

export interface NetworkPlan {
  mode: Mode;
  ifaces: Interfaces;
  /** Ports to put in the bridge (bridge mode). */
  bridgePorts: string[];
  lanPrefixes: string[];
  boxAddresses: string[];
  gateways: string[];
  /** Why the WAN port is the one it is. */
  wanReason: string;
  /** True when the evidence agrees on the port roles (planNetwork always sets it). */
  portsProven?: boolean | undefined;
  /** Office-side ports the box serves and answers on (DHCP, DNS, page): none until proven.
   *  planNetwork always sets it; a hand-made plan without it serves on `ifaces.lan`. */
  servedPorts?: string[] | undefined;
  /** Things a technician should know besides the port roles (shown as a condition, never fatal). */
  problems: string[];
}

/** What the port watcher has collected besides the kernel tables. */
export interface PortObservations {
  /** DHCP sightings (and any other evidence not read from the tables). */
  sightings: PortSighting[];
  /** Port name → when its carrier last changed (ms). */
  changedAt: Readonly<Record<string, number>>;
  now: number;
  /** The WAN port of the last proven plan (see PortEvidence.remembered). */
  remembered?: { wan: string; at: number } | undefined;
}

const NONE: PortObservations = { sightings: [], changedAt: {}, now: 0 };

/** Plans the network. Throws nothing: missing facts and unproven ports become `problems`. */
export function planNetwork(config: Config, facts: NetworkFacts, obs: PortObservations = NONE): NetworkPlan {
  const { plan } = planWithRoles(config, facts, obs);
  return plan;
}

/** planNetwork plus the port roles it used (for status). */
export function planWithRoles(config: Config, facts: NetworkFacts, obs: PortObservations = NONE): { plan: NetworkPlan; roles: PortRoles } {
  const problems: string[] = [];
  const bridge = config.interfaces.bridge;
  const ports = ethernetPorts(facts.links).filter((p) => p !== bridge);
  const mode: Mode = config.mode === 'router' ? 'router' : 'bridge';
  if (config.mode === 'auto' && ports.length < 2) problems.push(`only ${ports.length} Ethernet port(s) found; bridge mode needs two`);

  const states = ports.map((name) => {
    const l = facts.links.find((x) => x.name === name);
    return { name, carrier: l?.carrier ?? true, changedAt: obs.changedAt[name] ?? 0 };
  });
  const sightings = [...tableSightings(facts, ports, obs.now), ...obs.sightings];
  const roles = workOutPorts({ ports: states, sightings, now: obs.now, remembered: obs.remembered }, { wan: config.interfaces.wan, lan: config.interfaces.lan });
  const wan = roles.wan ?? config.interfaces.wan ?? 'eth0';
  const lan = roles.lan;
  if (!lan.length) problems.push('no LAN port');

  const lanIfs = mode === 'bridge' ? [bridge] : lan;
  const lanPrefixes = config.lan.prefixes ?? prefixesOn(facts.addrs, lanIfs);
  if (!lanPrefixes.length) problems.push('no office address range known yet');

  const plan: NetworkPlan = {
    mode,
    ifaces: mode === 'bridge' ? { wan, lan, bridge } : { wan, lan },
    bridgePorts: mode === 'bridge' ? ports.filter((p) => p === wan || lan.includes(p)) : [],
    lanPrefixes,
    boxAddresses: boxAddresses(facts.addrs),
    gateways: facts.defaultGateways,
    wanReason: roles.wanBy === 'evidence' ? `seen: ${(roles.seen[wan] ?? []).join(', ')}` : roles.wanBy === 'remembered' ? 'seen before, link unchanged since' : roles.wanBy,
    portsProven: roles.proven,
    servedPorts: roles.served,
    problems,
  };
  return { plan, roles };
}

/** Pure: evidence read from the kernel tables — the port behind which the default gateway's
 *  MAC (and any IPv6 router) sits: the neighbour entry's device when it is a port (router
 *  mode), else the bridge FDB entry of that MAC (bridge mode). The box's own MACs never count. */
export function tableSightings(facts: NetworkFacts, ports: readonly string[], now: number): PortSighting[] {
  const own = new Set(facts.links.map((l) => l.mac?.toLowerCase()).filter((m): m is string => !!m));
  const portOf = (mac: string, dev: string | undefined): string | undefined => {
    if (dev !== undefined && ports.includes(dev)) return dev;
    return facts.fdb.find((f) => f.mac.toLowerCase() === mac && ports.includes(f.port))?.port;
  };
  const out: PortSighting[] = [];
  for (const n of facts.neighbours) {
    const mac = n.mac.toLowerCase();
    if (own.has(mac)) continue;
    const gateway = facts.defaultGateways.some((g) => sameAddress(g, n.ip));
    if (!gateway && !n.router) continue;
    const port = portOf(mac, n.dev);
    if (port === undefined) continue;
    if (gateway) out.push({ port, kind: 'gateway', at: now, from: mac });
    if (n.router) out.push({ port, kind: 'router', at: now, from: mac });
  }
  return out;
}

function sameAddress(a: string, b: string): boolean {
  const strip = (s: string): string => (s.split('%')[0] ?? s).toLowerCase();
  return strip(a) === strip(b);
}
