// The runtime protected list of the guard, built from the same inputs as the allowlist of
// the ruleset (policy/build.ts allowRanges), each with its reason, so a feed can never load
// what the ruleset would allow anyway, and the technician sees why a line was refused.
// Pure.
import type { Config } from '../config/schema.js';
import type { Provisioning } from '../config/provisioning.js';
import { parseEntry } from '../net/ip.js';
import type { NetworkPlan } from '../policy/network.js';
import { buildGuard, type Guard, type ProtectedRange, type RuntimeReason } from './guard.js';

export interface ProtectInput {
  config: Config;
  provisioning: Provisioning | null;
  plan: NetworkPlan | null;
  /** Technician allowlist additions. */
  extraAllow: readonly string[];
}

/** Protected ranges with reasons; entries that do not parse (zone ids) are skipped as allowRanges does. */
export function protectedList(i: ProtectInput): ProtectedRange[] {
  const out: ProtectedRange[] = [];
  const add = (reason: RuntimeReason, texts: readonly string[]): void => {
    for (const t of texts) {
      try {
        out.push({ range: parseEntry(t.replace(/%.*$/, '')), reason });
      } catch {
        continue; // e.g. a link-local gateway with a zone id: not routable, nothing to protect
      }
    }
  };
  add('allowlist', [...i.config.allowlist.local, ...i.extraAllow]);
  add('lan', i.plan?.lanPrefixes ?? i.config.lan.prefixes ?? []);
  add('gateway', i.plan?.gateways ?? []);
  add('own_address', i.plan?.boxAddresses ?? []);
  add('management', i.provisioning?.management ?? []);
  const upstream = i.config.upstream?.host ?? i.provisioning?.upstream.host;
  if (upstream) add('upstream', [upstream]);
  return out;
}

/** The guard for this box: breadth limits from config, protected list from the network. */
export function guardFor(i: ProtectInput): Guard {
  return buildGuard({ minPrefix: { 4: i.config.feeds.minPrefix.v4, 6: i.config.feeds.minPrefix.v6 }, protected: protectedList(i) });
}
