// What the renderer needs to know: the base policy from rules/ (data), the network the box
// sits in, and the current contents of blocklists, allowlist and quarantine.
import { z } from 'zod';
import type { SetElem } from './json.js';

const Port = z.int().min(1).max(65535);
const Ports = z.strictObject({
  tcp: z.array(Port).describe('TCP destination ports'),
  udp: z.array(Port).describe('UDP destination ports'),
});
const IcmpType = z.string().regex(/^[a-z0-9-]{2,40}$/, 'an nft ICMP type name such as echo-request');

export const BasePolicySchema = z.strictObject({
  $comment: z.string().optional(),
  tableName: z.string().regex(/^[a-z][a-z0-9_]{0,30}$/).describe('Name of the tables we own (inet and bridge)'),
  lanServices: Ports.describe('Services of the box itself that LAN devices may use (router mode)'),
  wanServices: Ports.describe('Services of the box that answer on the WAN side (router mode): DHCP client replies'),
  quarantineAllowed: Ports.describe('What a quarantined device may still reach: DHCP and DNS'),
  icmpv4: z.array(IcmpType).describe('ICMP types the box accepts'),
  icmpv6: z.array(IcmpType).describe('ICMPv6 types the box accepts and forwards (neighbour discovery must stay)'),
  logPrefix: z.string().regex(/^[a-z]{1,8}$/).describe('First word of every NFLOG prefix we write'),
});
export type BasePolicy = z.infer<typeof BasePolicySchema>;

export type Mode = 'bridge' | 'router';
export type ListDirection = 'outbound' | 'inbound' | 'both';
export type ListAction = 'drop' | 'watch';

/** Elements of one address family, already validated and normalised by our own parser. */
export interface FamilyElems {
  /** Single addresses: go into a plain hash set (cheap incremental updates). Timed
   *  elements (`{elem:{val,timeout}}`) only in a group with `timeouts`. */
  single: SetElem[];
  /** Prefixes and ranges: go into an interval set (feeds: only the prefixes of rare
   *  lengths, so it stays small). */
  net: SetElem[];
  /** Prefixes by length, each length in a plain hash set of network addresses looked up
   *  with the length's netmask; longest length first. Lengths here are rendered as sets
   *  and rules even when empty. */
  masked?: MaskedElems[] | undefined;
  /** Which of the two names the sets carry (default 0). */
  gen?: SetGeneration | undefined;
}

/** Network addresses of the prefixes of one length (`len` below the family's full length). */
export interface MaskedElems { len: number; elems: SetElem[] }

export interface BlocklistGroup {
  /** Short id used in set names and log prefixes: [a-z0-9]{1,16}. */
  id: string;
  direction: ListDirection;
  action: ListAction;
  v4: FamilyElems;
  v6: FamilyElems;
  /** Sets carry nft element timeouts (manual blocks that expire by themselves). */
  timeouts?: boolean | undefined;
}

export interface Interfaces {
  /** Router mode: the WAN interface. Bridge mode: the bridge port facing the internet router. */
  wan: string;
  /** Router mode: LAN interfaces. Bridge mode: the other bridge ports. */
  lan: string[];
  /** Bridge mode only: the bridge device. */
  bridge?: string | undefined;
}

export interface Policy {
  mode: Mode;
  base: BasePolicy;
  ifaces: Interfaces;
  /** Office ports the box serves and answers on (page, DHCP, DNS). Undefined: `ifaces.lan`
   *  (router) or every port but the WAN (bridge); empty: none (port roles not yet proven). */
  servedPorts?: string[] | undefined;
  uiPort: number;
  nflogGroup: number;
  blocklists: BlocklistGroup[];
  allow: { v4: SetElem[]; v6: SetElem[] };
  quarantine: string[];
  /** Office prefixes as interval elements (per-device bytes come from conntrack accounting,
   *  traffic/byteLedger.ts; the ruleset itself no longer counts per device). */
  lan?: { v4: SetElem[]; v6: SetElem[] } | undefined;
  /** Router mode: the ports of a flowtable (software offload of established TCP/UDP flows),
   *  when the kernel offers one (nft/flowtableProbe.ts); undefined: none. */
  flowtable?: string[] | undefined;
}

/** NFLOG prefix of a blocklist hit: `<prefix>:<drop|watch>:<out|in>:<group>`. */
export function blocklistLogPrefix(base: BasePolicy, action: ListAction, dir: 'out' | 'in', group: string): string {
  return `${base.logPrefix}:${action}:${dir}:${group}`;
}

/** The `size` a feed group's plain hash set (singles, one masked length) is declared with for
 *  `count` elements: 3·2^k ≥ count + count/8, at least 768. A set with a size gets the
 *  kernel's fixed-size hash (nft_hash) instead of the resizable rhashtable, which grows step by
 *  step while nft inserts: 100k addresses load in 0.17 s instead of 0.26 s, 1M in 1.7 s instead
 *  of 4.2 s (measured here 2026-12-03, README "Set layout"). The size is a hard cap (the
 *  kernel refuses an element past it), so the renderer and the sync (blocklist/nftSync.ts)
 *  both declare this size for the count they load, and the sync declares the set again (in
 *  the same transaction) whenever the count moves to another size. The kernel gives the set
 *  size·4/3 buckets rounded up to a power of two, 2^(k+2): at most 2/3 of them used, at 1M
 *  2M buckets (16 MB, as many as the rhashtable grows to). */
export function hashSetSize(count: number): number {
  const need = count + Math.ceil(count / 8);
  let size = 768;
  while (size < need) size *= 2;
  return size;
}

/** Which of two names a group's sets of one family carry (`bl_g_v4…` or `bl_g_v4b…`): a large
 *  load fills new sets under the other name while the old ones still do the lookups, then one
 *  transaction points the lookup rules at them (blocklist/stagedLoad.ts). */
export type SetGeneration = 0 | 1;

/** Names of the sets that hold one group's elements of one family (generation `gen`). */
export function blocklistSetNames(group: string, family: 4 | 6, gen: SetGeneration = 0): { single: string; net: string; masked: (len: number) => string } {
  const stem = `bl_${group}_v${family}${gen ? 'b' : ''}`;
  return { single: stem, net: `${stem}n`, masked: (len) => `${stem}_p${len}` };
}

/** The chain that looks one group's sets of one family up for one direction (its rules are
 *  rewritten, in the same transaction, when the group's set of prefix lengths changes). */
export function blocklistLookupChain(group: string, dir: 'out' | 'in', family: 4 | 6): string {
  return `bl_${group}_${dir}_v${family}`;
}

/** The chain a hit on one group in one direction jumps to (log, count, verdict). */
export function blocklistHitChain(group: string, dir: 'out' | 'in'): string {
  return `bl_${group}_${dir}`;
}
