// Pure: assembles the renderer's Policy from config, provisioning, the network plan and
// the current quarantine. The allowlist always protects the office, the gateway, the box
// and the monitoring centre, whatever any blocklist says.
import type { Config } from '../config/schema.js';
import type { Provisioning } from '../config/provisioning.js';
import { parseEntry, type IpRange } from '../net/ip.js';
import type { BasePolicy, BlocklistGroup, Policy } from '../nft/policy.js';
import type { SetElem } from '../nft/json.js';
import { intervalElems, parseEntries, toElems } from './elements.js';
import type { NetworkPlan } from './network.js';

export interface PolicyInput {
  config: Config;
  provisioning: Provisioning | null;
  base: BasePolicy;
  plan: NetworkPlan;
  quarantine: string[];
  /** Further groups (feeds, manual blocks) supplied by the blocklist module. */
  extraGroups?: BlocklistGroup[] | undefined;
  /** Further allowlist entries (a technician's `utmctl allow add`), already validated. */
  extraAllow?: string[] | undefined;
}

/** The automatic + configured allowlist as ranges. */
export function allowRanges(i: Omit<PolicyInput, 'base' | 'quarantine'>): IpRange[] {
  const entries = [
    ...i.config.allowlist.local,
    ...i.plan.lanPrefixes,
    ...i.plan.gateways,
    ...i.plan.boxAddresses,
    ...(i.provisioning?.management ?? []),
    // router mode: the resolvers dnsmasq forwards the office's DNS to
    ...(i.config.router.dnsServers ?? []),
    ...(i.extraAllow ?? []),
  ];
  const upstream = i.config.upstream?.host ?? i.provisioning?.upstream.host;
  if (upstream) entries.push(upstream);
  const out: IpRange[] = [];
  for (const e of entries) {
    try {
      out.push(parseEntry(e.replace(/%.*$/, '')));
    } catch {
      continue; // e.g. a link-local gateway with a zone id: not routable, nothing to protect
    }
  }
  return out;
}

/** Builds the complete policy. Throws IpParseError only if the config bypassed its schema. */
export function buildPolicy(i: PolicyInput): Policy {
  const local = toElems(parseEntries(i.config.blocklist.local));
  const groups: BlocklistGroup[] = [{ id: 'local', direction: 'both', action: 'drop', ...local }, ...(i.extraGroups ?? [])];
  const allow = allowRanges(i);
  return {
    mode: i.plan.mode,
    // The secure page answers where the office's other box services do (LAN side only).
    base: { ...i.base, lanServices: { ...i.base.lanServices, tcp: [...new Set([...i.base.lanServices.tcp, i.config.ui.httpsPort])] } },
    ifaces: i.plan.ifaces,
    servedPorts: i.plan.servedPorts,
    uiPort: i.config.ui.port,
    nflogGroup: i.config.sensors.nflogGroup,
    blocklists: groups,
    allow: { v4: intervalElems(allow, 4), v6: intervalElems(allow, 6) },
    lan: officeElems(i.plan.lanPrefixes),
    quarantine: [...new Set(i.quarantine)].sort(),
  };
}

/** The office prefixes as interval-set elements (for the per-device byte counters). */
function officeElems(prefixes: readonly string[]): { v4: SetElem[]; v6: SetElem[] } {
  const ranges: IpRange[] = [];
  for (const p of prefixes) {
    try {
      ranges.push(parseEntry(p));
    } catch {
      continue; // planNetwork only yields prefixes it parsed; nothing to count otherwise
    }
  }
  return { v4: intervalElems(ranges, 4), v6: intervalElems(ranges, 6) };
}
