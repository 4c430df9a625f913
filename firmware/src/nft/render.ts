// Pure renderer: policy in, one complete libnftables JSON document out, for the tables we
// own (`inet utm`, and `bridge utm` in bridge mode). Applying the document replaces our
// tables in one transaction and touches nothing else (the firewall4 way).
import {
  ACCEPT, DROP, MASQUERADE, addToSet, anySet, counter, ctState, eq, inSet, log, meta, ne, payload,
  type ChainObj, type Cmd, type Expr, type Family, type NftDocument, type SetElem, type SetObj, type Stmt,
} from './json.js';
import { blocklistHitChain, blocklistLogPrefix, blocklistLookupChain, blocklistSetNames, hashSetSize, type BlocklistGroup, type SetGeneration, type Interfaces, type Policy } from './policy.js';
import { netmaskText } from '../net/cidrNumbers.js';

const FILTER = 0; // nft's "filter" priority

/** The dynamic set of (MAC, IPv4) pairs that opened connections from the office side, in
 *  `inet utm` in both modes, filled in the packet path (a connection's first packet) so
 *  device discovery sees even devices that never use DHCP (read with `nft -j list set`). */
export const LAN_SEEN_SET = 'lan_seen';
const LAN_SEEN_TIMEOUT_S = 3600;

/** The dynamic set of (MAC, IPv6) pairs that opened connections through the box, in
 *  `inet utm` in both modes: a device's IPv6 addresses come and go (privacy addresses), so
 *  each new connection records its own. The cutter reads it to end a quarantined device's
 *  IPv6 connections by MAC (conntrack/cutter.ts). */
export const LAN_SEEN6_SET = 'lan_seen6';

/** Sets whose elements only the packet path writes: a re-apply leaves them in the kernel
 *  (NftDriver.apply keepSets), so sightings survive it. */
export const DYNAMIC_SETS: readonly string[] = [LAN_SEEN_SET, LAN_SEEN6_SET];
const LAN_SEEN_SIZE = 65_536;

/** Bridge mode: the bit of the packet mark the bridge table sets on frames entering from an
 *  office port, so the inet table (which br_netfilter hands the bridge device, not the
 *  port) knows a new connection's sender is an office device. */
export const OFFICE_MARK = 0x0080_0000;

function lanSeen6Set(): { name: string; type: ['ether_addr', 'ipv6_addr']; flags: ['timeout']; timeout: number; size: number } {
  return { name: LAN_SEEN6_SET, type: ['ether_addr', 'ipv6_addr'], flags: ['timeout'], timeout: LAN_SEEN_TIMEOUT_S, size: LAN_SEEN_SIZE };
}

/** Records the sender's (MAC, address) of a new connection from the office in `lan_seen`
 *  (IPv4) or `lan_seen6` (IPv6). Added only when absent (a lookup, no write) and met by a
 *  connection's first packet only (the rules sit below the fast path): a sighting lives an
 *  hour from when it was first added, then the next new connection adds it again. `from`
 *  tells the office side: the LAN ports (router) or the office mark (bridge). */
function sightingRule(family: 4 | 6, from: Stmt): Stmt[] {
  const ip = family === 4 ? 'ip' : 'ip6';
  const set = family === 4 ? LAN_SEEN_SET : LAN_SEEN6_SET;
  const pair = { concat: [payload('ether', 'saddr'), payload(ip, 'saddr')] };
  // 0.0.0.0 is a DHCP client without an address yet (DHCP capture covers it); :: likewise
  return [from, eq(meta('nfproto'), family === 4 ? 'ipv4' : 'ipv6'), ne(payload(ip, 'saddr'), family === 4 ? '0.0.0.0' : '::'),
    ne(pair, `@${set}`), addToSet(set, payload('ether', 'saddr'), payload(ip, 'saddr'))];
}
const markBit = (): Expr => ({ '&': [meta('mark'), OFFICE_MARK] });
/** Bridge table: sets the office bit of the packet mark (one rule per frame). */
const markOffice = (): Stmt => ({ mangle: { key: meta('mark'), value: { '|': [meta('mark'), OFFICE_MARK] } } });

function lanSeenSet(): { name: string; type: ['ether_addr', 'ipv4_addr']; flags: ['timeout']; timeout: number; size: number } {
  // nft adds the `dynamic` flag itself once a rule adds to the set from the packet path.
  return { name: LAN_SEEN_SET, type: ['ether_addr', 'ipv4_addr'], flags: ['timeout'], timeout: LAN_SEEN_TIMEOUT_S, size: LAN_SEEN_SIZE };
}

const SRCNAT = 100;
/** The flowtable's name (router mode, when offered). */
export const FLOWTABLE = 'ft';

/** Renders the full document for `policy`. Never throws; the result is checked by `nft -c`. */
export function renderRuleset(policy: Policy): NftDocument {
  const t = policy.base.tableName;
  const cmds: Cmd[] = [{ metainfo: { json_schema_version: 1 } }];
  // "add" makes the delete safe when the table is absent; the three run in one transaction.
  const replace = (family: Family): void => {
    cmds.push({ add: { table: { family, name: t } } }, { delete: { table: { family, name: t } } });
  };
  replace('inet');
  replace('bridge');
  cmds.push(...renderInet(policy));
  if (policy.mode === 'bridge') cmds.push(...renderBridge(policy));
  return { nftables: cmds };
}

function renderInet(p: Policy): Cmd[] {
  const t = p.base.tableName;
  const F: Family = 'inet';
  const out: Cmd[] = [{ add: { table: { family: F, name: t } } }];
  const set = (s: Omit<SetObj, 'family' | 'table'>): void => {
    out.push({ add: { set: { family: F, table: t, ...s } } });
  };
  const chain = (c: Omit<ChainObj, 'family' | 'table'>): void => {
    out.push({ add: { chain: { family: F, table: t, ...c } } });
  };
  const rule = (chainName: string, expr: Stmt[]): void => {
    out.push({ add: { rule: { family: F, table: t, chain: chainName, expr } } });
  };
  const router = p.mode === 'router';

  set({ name: 'allow_v4', type: 'ipv4_addr', flags: ['interval'], ...elems(p.allow.v4) });
  set({ name: 'allow_v6', type: 'ipv6_addr', flags: ['interval'], ...elems(p.allow.v6) });
  // Both modes: the inet table checks new connections' MACs (bridge mode: its IP frames, which
  // br_netfilter hands to this table with conntrack; the bridge table keeps its own copy for
  // the frames only it sees: non-IP frames and the box's own ports).
  set({ name: 'quarantine', type: 'ether_addr', ...elems(p.quarantine) });
  set(lanSeenSet());
  set(lanSeen6Set());
  // Router mode, when the kernel offers it: established TCP/UDP flows leave the forward path
  // for the flowtable (software offload). `counter` keeps conntrack's byte accounting, which
  // the per-device counts read. Ending a connection (conntrack -D) ends its offloaded flow.
  const ft = router && p.flowtable?.length ? p.flowtable : undefined;
  if (ft) out.push({ add: { flowtable: { family: F, table: t, name: FLOWTABLE, hook: 'ingress', prio: FILTER, dev: ft, flags: ['counter'] } } });
  for (const g of p.blocklists) {
    for (const fam of [4, 6] as const) {
      const fe = fam === 4 ? g.v4 : g.v6;
      const names = blocklistSetNames(g.id, fam, fe.gen);
      const type = fam === 4 ? 'ipv4_addr' : 'ipv6_addr';
      // feed groups: fixed-size hash sets (hashSetSize); the manual group's timeouts need the rhashtable
      set({ name: names.single, type, ...(g.timeouts ? { flags: ['timeout'] } : { size: hashSetSize(fe.single.length) }), ...elems(fe.single) });
      for (const m of fe.masked ?? []) set({ name: names.masked(m.len), type, ...(g.timeouts ? {} : { size: hashSetSize(m.elems.length) }), ...elems(m.elems) });
      set({ name: names.net, type, flags: g.timeouts ? ['interval', 'timeout'] : ['interval'], ...elems(fe.net) });
    }
    for (const dir of dirs(g)) out.push({ add: { counter: { family: F, table: t, name: `bl_${g.id}_${dir}` } } });
  }
  if (router) out.push({ add: { counter: { family: F, table: t, name: 'wan_unsolicited' } } });
  // Packets a quarantined device sends through the box, dropped (named so that a test or an operator can read it).
  out.push({ add: { counter: { family: F, table: t, name: 'quarantine_out' } } });

  // Blocklist chains, jumped to from input, forward and output for the first packet of each
  // connection (after the fast path). A listing ends live connections on conntrack's side
  // (conntrack/cut.ts), so the shortcut keeps every protection.
  const bl = blocklistChains(p);
  for (const c of bl) chain({ name: c.name }); // every chain exists before a rule jumps to it
  for (const c of bl) for (const r of c.rules) rule(c.name, r);

  // Fast path of the input chain: established and related packets leave at the first rule
  // (firewall4's way). The forward chain splits the two (below).
  const fastPath = (name: string): void => {
    rule(name, [ctState('established', 'related'), ACCEPT]);
    rule(name, [ctState('invalid'), DROP]);
  };
  if (!router) for (const name of ['quarantine_from', 'quarantine_to']) chain({ name });
  chain({ name: 'forward', type: 'filter', hook: 'forward', prio: FILTER, policy: router ? 'drop' : 'accept' });
  if (ft) rule('forward', [eq(meta('l4proto'), anySet(['tcp', 'udp'])), ctState('established'), { flow: { op: 'add', flowtable: `@${FLOWTABLE}` } }]);
  // Forward: established packets leave at the first rule; related ones (ICMP errors, helper
  // connections) only after the quarantine, so that a quarantined device cannot reach anyone
  // through a "related" packet. A device's established connections end when it is
  // quarantined (conntrack/cutter.ts), so only new and related packets need the check.
  rule('forward', [ctState('established'), ACCEPT]);
  rule('forward', [ctState('invalid'), DROP]);
  // sightings of new connections from the office: the LAN ports (router), the office mark (bridge)
  const fromOffice = router ? eq(meta('iifname'), anySet(p.ifaces.lan)) : eq(markBit(), OFFICE_MARK);
  rule('forward', sightingRule(4, fromOffice));
  rule('forward', sightingRule(6, fromOffice));
  if (router) rule('forward', [inSet(payload('ether', 'saddr'), 'quarantine'), counter('quarantine_out'), DROP]);
  else {
    // Bridge mode: a quarantined device keeps neighbour discovery, DHCP and DNS with anyone
    // and loses every other connection, to the internet and to other office devices, in
    // both directions (its non-IP frames stop in the bridge table).
    rule('forward', [inSet(payload('ether', 'saddr'), 'quarantine'), { jump: { target: 'quarantine_from' } }]);
    rule('forward', [inSet(payload('ether', 'daddr'), 'quarantine'), { jump: { target: 'quarantine_to' } }]);
    const qa = p.base.quarantineAllowed;
    rule('quarantine_from', [eq(payload('icmpv6', 'type'), anySet(ndTypes(p))), ACCEPT]);
    rule('quarantine_from', [eq(payload('udp', 'dport'), anySet(qa.udp)), ACCEPT]);
    rule('quarantine_from', [eq(payload('tcp', 'dport'), anySet(qa.tcp)), ACCEPT]);
    rule('quarantine_from', [counter('quarantine_out'), DROP]);
    rule('quarantine_to', [eq(payload('icmpv6', 'type'), anySet(ndTypes(p))), ACCEPT]);
    rule('quarantine_to', [eq(payload('udp', 'sport'), anySet(qa.udp)), ACCEPT]);
    rule('quarantine_to', [eq(payload('tcp', 'sport'), anySet(qa.tcp)), ACCEPT]);
    rule('quarantine_to', [counter(), DROP]);
  }
  rule('forward', [ctState('related'), ACCEPT]);
  rule('forward', [{ jump: { target: 'blocklist' } }]);
  if (router) {
    rule('forward', [eq(payload('icmpv6', 'type'), anySet(p.base.icmpv6)), ACCEPT]);
    const lan = anySet(p.ifaces.lan);
    rule('forward', [eq(meta('iifname'), lan), eq(meta('oifname'), p.ifaces.wan), ACCEPT]);
    rule('forward', [eq(meta('iifname'), lan), eq(meta('oifname'), lan), ACCEPT]);
    rule('forward', [eq(meta('iifname'), p.ifaces.wan), counter('wan_unsolicited'), DROP]);
  }

  chain({ name: 'input', type: 'filter', hook: 'input', prio: FILTER, policy: router ? 'drop' : 'accept' });
  rule('input', [eq(meta('iif'), 'lo'), ACCEPT]);
  fastPath('input');
  rule('input', sightingRule(4, fromOffice));
  if (router) {
    const q = inSet(payload('ether', 'saddr'), 'quarantine');
    const qa = p.base.quarantineAllowed;
    rule('input', [q, eq(payload('udp', 'dport'), anySet(qa.udp)), ACCEPT]);
    rule('input', [q, eq(payload('tcp', 'dport'), anySet([...qa.tcp, p.uiPort])), ACCEPT]);
    rule('input', [q, counter(), DROP]);
  }
  rule('input', [{ jump: { target: 'blocklist' } }]);
  if (router) {
    rule('input', [eq(payload('icmp', 'type'), anySet(p.base.icmpv4)), ACCEPT]);
    rule('input', [eq(payload('icmpv6', 'type'), anySet(p.base.icmpv6)), ACCEPT]);
    // The box serves (DHCP, DNS, page) only on office ports the evidence has proven.
    const servedPorts = p.servedPorts ?? p.ifaces.lan;
    const served = anySet(servedPorts);
    const ls = p.base.lanServices;
    if (servedPorts.length) rule('input', [eq(meta('iifname'), served), eq(payload('tcp', 'dport'), anySet(uniq([...ls.tcp, p.uiPort]))), ACCEPT]);
    if (servedPorts.length && ls.udp.length) rule('input', [eq(meta('iifname'), served), eq(payload('udp', 'dport'), anySet(ls.udp)), ACCEPT]);
    const ws = p.base.wanServices;
    if (ws.udp.length) rule('input', [eq(meta('iifname'), p.ifaces.wan), eq(payload('udp', 'dport'), anySet(ws.udp)), ACCEPT]);
    if (ws.tcp.length) rule('input', [eq(meta('iifname'), p.ifaces.wan), eq(payload('tcp', 'dport'), anySet(ws.tcp)), ACCEPT]);
  }

  chain({ name: 'output', type: 'filter', hook: 'output', prio: FILTER, policy: 'accept' });
  rule('output', [ctState('established', 'related'), ACCEPT]);
  rule('output', [{ jump: { target: 'blocklist' } }]);

  if (router) {
    chain({ name: 'postrouting', type: 'nat', hook: 'postrouting', prio: SRCNAT, policy: 'accept' });
    rule('postrouting', [eq(meta('oifname'), p.ifaces.wan), MASQUERADE]);
  }
  return out;
}

interface ChainRules { name: string; rules: Stmt[][] }

/** The rules of one group's lookup chain for one family and direction: its singles, each
 *  masked prefix length (longest first, `ip daddr & 255.255.255.0 @bl_g_v4_p24`), then its
 *  interval set, each jumping to the group's hit chain. The sync rewrites them when the
 *  group's lengths change or its sets move to their other name (blocklist/nftSync.ts,
 *  stagedLoad.ts), so both render them here. */
export function groupLookupRules(group: string, family: 4 | 6, dir: 'out' | 'in', maskedLens: readonly number[], gen: SetGeneration = 0): Stmt[][] {
  const field = payload(family === 4 ? 'ip' : 'ip6', dir === 'out' ? 'daddr' : 'saddr');
  const names = blocklistSetNames(group, family, gen);
  const hit: Stmt = { jump: { target: blocklistHitChain(group, dir) } };
  return [
    [inSet(field, names.single), hit],
    ...maskedLens.map((len) => [inSet({ '&': [field, netmaskText(family, len)] }, names.masked(len)), hit]),
    [inSet(field, names.net), hit],
  ];
}

/** The blocklist as chains: `blocklist` checks the allowlist once per family and direction
 *  and jumps to that direction's chain, which jumps to each group's lookup chain in turn
 *  (group order is priority order); a lookup chain tests the group's sets and jumps to the
 *  group's hit chain on a match; logging and counting live only in the hit chains.
 *  A watch group's hit chain returns, so later groups still see the packet. */
function blocklistChains(p: Policy): ChainRules[] {
  const top: Stmt[][] = [];
  const lookups: ChainRules[] = [];
  const hits: ChainRules[] = [];
  for (const fam of [4, 6] as const) {
    for (const dir of ['out', 'in'] as const) {
      const proto = fam === 4 ? 'ip' : 'ip6';
      const field = dir === 'out' ? 'daddr' : 'saddr';
      const groups = p.blocklists.filter((g) => dirs(g).includes(dir));
      if (!groups.length) continue;
      const name = `bl_${dir}_v${fam}`;
      top.push([ne(payload(proto, field), `@allow_v${fam}`), { jump: { target: name } }]);
      lookups.push({ name, rules: groups.map((g) => [{ jump: { target: blocklistLookupChain(g.id, dir, fam) } }]) });
      for (const g of groups) {
        const fe = fam === 4 ? g.v4 : g.v6;
        lookups.push({ name: blocklistLookupChain(g.id, dir, fam), rules: groupLookupRules(g.id, fam, dir, (fe.masked ?? []).map((m) => m.len), fe.gen) });
      }
    }
  }
  for (const g of p.blocklists) {
    for (const dir of dirs(g)) {
      const prefix = blocklistLogPrefix(p.base, g.action, dir, g.id);
      hits.push({ name: blocklistHitChain(g.id, dir), rules: [g.action === 'drop'
        ? [log(prefix, p.nflogGroup), counter(`bl_${g.id}_${dir}`), DROP]
        // Watch-only: report the first packet of each connection, let it through.
        : [ctState('new'), log(prefix, p.nflogGroup), counter(`bl_${g.id}_${dir}`)]] });
    }
  }
  return [{ name: 'blocklist', rules: top }, ...lookups, ...hits];
}

/** Bridge mode: layer-2 rules that the inet table cannot express (no conntrack here). */
function renderBridge(p: Policy): Cmd[] {
  const t = p.base.tableName;
  const F: Family = 'bridge';
  const out: Cmd[] = [{ add: { table: { family: F, name: t } } }];
  const rule = (chainName: string, expr: Stmt[]): void => {
    out.push({ add: { rule: { family: F, table: t, chain: chainName, expr } } });
  };
  const chain = (name: string, hook?: 'input' | 'forward'): void => {
    out.push({ add: { chain: { family: F, table: t, name, ...(hook ? { type: 'filter', hook, prio: FILTER, policy: 'accept' } : {}) } } });
  };
  out.push({ add: { set: { family: F, table: t, name: 'quarantine', type: 'ether_addr', ...elems(p.quarantine) } } });
  // Frames a quarantined device sends through the bridge, dropped (named so that a test or an operator can read it).
  out.push({ add: { counter: { family: F, table: t, name: 'quarantine_out' } } });
  chain('input', 'input');
  chain('forward', 'forward');
  // exist armed or not: arming rewrites `forward` alone (bridgeForwardCommands)
  chain('quarantine_from');
  chain('quarantine_to');

  // The box's own page and shell answer on the office side only: on the ports the evidence
  // has proven to be the office's (none while unproven), or else on every port but the WAN.
  const mgmt = uniq([p.uiPort, ...p.base.lanServices.tcp.filter((x) => x !== 53)]);
  const notServed = p.servedPorts === undefined ? [eq(meta('iifname'), p.ifaces.wan)]
    : p.servedPorts.length ? [ne(meta('iifname'), anySet(p.servedPorts))] : [];
  rule('input', [...notServed, eq(payload('tcp', 'dport'), anySet(mgmt)), counter(), DROP]);
  rule('input', [officePorts(p.ifaces), markOffice()]);
  const qs = inSet(payload('ether', 'saddr'), 'quarantine');
  rule('input', [qs, eq(meta('l4proto'), 'tcp'), ne(payload('tcp', 'dport'), p.uiPort), counter(), DROP]);

  // What a quarantined device keeps, per frame, when the forward chain is armed: address
  // resolution, neighbour discovery, DHCP and DNS (each frame, as the bridge family has no
  // conntrack here). Each accept names its ether type: nft reads a VLAN tag as the ether
  // type (0x8100), while the kernel parses the IP header behind it, so a tagged DNS frame
  // would otherwise pass as DNS; tagged frames of a quarantined device all stop.
  const qa = p.base.quarantineAllowed;
  const ip = eq(payload('ether', 'type'), anySet(['ip', 'ip6']));
  for (const [name, port, last] of [['quarantine_from', 'dport', counter('quarantine_out')], ['quarantine_to', 'sport', counter()]] as const) {
    rule(name, [eq(payload('ether', 'type'), 'arp'), ACCEPT]);
    rule(name, [eq(payload('ether', 'type'), 'ip6'), eq(payload('icmpv6', 'type'), anySet(ndTypes(p))), ACCEPT]);
    rule(name, [ip, eq(payload('udp', port), anySet(qa.udp)), ACCEPT]);
    rule(name, [ip, eq(payload('tcp', port), anySet(qa.tcp)), ACCEPT]);
    rule(name, [last, DROP]);
  }
  for (const r of bridgeForwardRules(p.ifaces, p.quarantine.length > 0)) rule('forward', r);
  return out;
}

const officePorts = (i: Pick<Interfaces, 'lan'>): Stmt => eq(meta('iifname'), anySet(i.lan));

/**
 * The rules of `bridge <table> forward`. Both forms first set the office mark on frames from
 * office ports (the bridge family has no conntrack here: the inet table, which br_netfilter
 * runs after it with conntrack, records the sender of each marked new connection in
 * lan_seen/lan_seen6, below its fast path).
 *
 * Disarmed (nothing quarantined; what every office pays): IP frames and ARP leave at one
 * rule, no lookup (IPv4/IPv6 meet the quarantine in the inet table on new connections); only
 * frames no other table sees (other ether types, VLAN-tagged and PPPoE frames) meet the two
 * lookups. Armed (a device is quarantined): every frame from an office port is looked up by
 * sender and every frame toward one by receiver, before anything else, so the device's open
 * connections stop at their next frame even when the cutter cannot find them (an address of
 * the device that no source it reads has held). Frames entering from the WAN port come from
 * the internet router and frames leaving by it go to it: each is looked up on its office end.
 * Both forms have four rules (a read-back compares rule counts: arming by a quarantine
 * change is no drift from the last full render). Pure.
 */
export function bridgeForwardRules(ifaces: Pick<Interfaces, 'wan' | 'lan'>, armed: boolean): Stmt[][] {
  const fromOffice = [ne(meta('iifname'), ifaces.wan), inSet(payload('ether', 'saddr'), 'quarantine')];
  const toOffice = [ne(meta('oifname'), ifaces.wan), inSet(payload('ether', 'daddr'), 'quarantine')];
  const ipAndArp = [eq(payload('ether', 'type'), anySet(['ip', 'ip6', 'arp'])), ACCEPT];
  const mark = [officePorts(ifaces), markOffice()];
  return armed
    // armed, the last rule is a bare accept (the chain's policy anyway): the `ether type` set
    // would be one more lookup for every frame that is not the device's
    ? [mark, [...fromOffice, { jump: { target: 'quarantine_from' } }], [...toOffice, { jump: { target: 'quarantine_to' } }], [ACCEPT]]
    : [mark, ipAndArp, [...fromOffice, counter('quarantine_out'), DROP], [...toOffice, counter(), DROP]];
}

/** Rewrites `bridge <table> forward` in the armed or disarmed form (flush chain, add its
 *  rules): part of the transaction that changes the quarantine set, so the form always
 *  matches the set (devices/quarantineSet.ts). Pure. */
export function bridgeForwardCommands(table: string, ifaces: Pick<Interfaces, 'wan' | 'lan'>, armed: boolean): Cmd[] {
  const F: Family = 'bridge';
  return [
    { flush: { chain: { family: F, table, name: 'forward' } } },
    ...bridgeForwardRules(ifaces, armed).map((expr): Cmd => ({ add: { rule: { family: F, table, chain: 'forward', expr } } })),
  ];
}

function ndTypes(p: Policy): string[] {
  return p.base.icmpv6.filter((x) => x.startsWith('nd-'));
}

function dirs(g: BlocklistGroup): ('out' | 'in')[] {
  return g.direction === 'both' ? ['out', 'in'] : g.direction === 'outbound' ? ['out'] : ['in'];
}

function elems(e: SetElem[]): { elem?: SetElem[] } {
  return e.length ? { elem: e } : {};
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
