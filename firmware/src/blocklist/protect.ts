// The runtime protected list of the guard, built from the same inputs as the allowlist of
// the ruleset (policy/build.ts allowRanges), each with its reason, so a feed can never load
// what the ruleset would allow anyway, and the technician sees why a line was refused.
// Pure.
import type { Config } from '../config/schema.js';
import type { Provisioning } from '../config/provisioning.js';
import { parseEntry } from '../net/ip.js';
import type { NetworkPlan } from '../policy/network.js';
import { buildGuard, type Guard, type GuardReason, type ProtectedRange, type RuntimeReason } from './guard.js';
import type { BoxPeers } from './peers.js';

export interface ProtectInput {
  config: Config;
  provisioning: Provisioning | null;
  plan: NetworkPlan | null;
  /** Technician allowlist additions. */
  extraAllow: readonly string[];
  /** The box's own resolvers, NTP servers and feed download servers (peers.ts). */
  peers?: BoxPeers | undefined;
}

/** Protected ranges with reasons; entries that do not parse (zone ids) are skipped as allowRanges does. */
export function protectedList(i: ProtectInput): ProtectedRange[] {
  const out: ProtectedRange[] = [];
  for (const [reason, texts] of protectedTexts(i)) {
    for (const t of texts) {
      try {
        out.push({ range: parseEntry(t.replace(/%.*$/, '')), reason });
      } catch {
        continue; // e.g. a link-local gateway with a zone id: not routable, nothing to protect
      }
    }
  }
  return out;
}

/** What protectedList protects, as the texts it reads, by reason (nothing parsed yet). */
function protectedTexts(i: ProtectInput): Array<[RuntimeReason, readonly string[]]> {
  const upstream = i.config.upstream?.host ?? i.provisioning?.upstream.host;
  return [
    ['allowlist', [...i.config.allowlist.local, ...i.extraAllow]],
    ['lan', i.plan?.lanPrefixes ?? i.config.lan.prefixes ?? []],
    ['gateway', i.plan?.gateways ?? []],
    ['own_address', i.plan?.boxAddresses ?? []],
    ['management', i.provisioning?.management ?? []],
    ['upstream', upstream ? [upstream] : []],
    // router mode: dnsmasq forwards the office's DNS there; cutting it cuts the whole office
    ['resolver', [...(i.config.router.dnsServers ?? []), ...(i.peers?.resolver ?? [])]],
    ['ntp', i.peers?.ntp ?? []],
    ['feed_host', i.peers?.feed_host ?? []],
  ];
}

/** The guard for this box: breadth limits from config, protected list from the network. */
export function guardFor(i: ProtectInput): Guard {
  return buildGuard({ minPrefix: { 4: i.config.feeds.minPrefix.v4, 6: i.config.feeds.minPrefix.v6 }, protected: protectedList(i) });
}

/** guardFor, built again only when what it reads changed (the texts of every protected entry,
 *  the breadth limits): a refresh's guard is most often the last one's, and building it (parse,
 *  sort, merge) cost ~0.5 ms of a 100k update's critical path, cold. */
export class GuardCache {
  private last: { key: string; guard: Guard } | null = null;

  get(i: ProtectInput): Guard {
    const key = JSON.stringify([i.config.feeds.minPrefix.v4, i.config.feeds.minPrefix.v6, protectedTexts(i)]);
    if (this.last?.key !== key) this.last = { key, guard: guardFor(i) };
    return this.last.guard;
  }
}

const REASON_TEXT: Partial<Record<GuardReason, string>> = {
  own_address: "one of the box's own addresses",
  lan: 'the office network',
  gateway: "the office's internet router (default gateway)",
  upstream: "the monitoring centre's collector",
  management: "the provider's management address",
  allowlist: 'on the allowlist',
  resolver: "a DNS server the box and the office use: blocking it cuts name lookups for everyone",
  ntp: 'a time server the box keeps its clock with',
  feed_host: 'the server a blocklist feed is downloaded from: blocking it stops that feed from ever refreshing',
  too_broad: 'too broad a range to block at once',
};

/** Why an entry is protected, in words for the technician (`utmctl block add` refusal). */
export function reasonText(reason: GuardReason): string {
  return REASON_TEXT[reason] ?? `special-purpose address space (${reason})`;
}
