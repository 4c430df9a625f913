// Pure renderer: policy in, one complete libnftables JSON document out, for the tables we
// own (`inet utm`, and `bridge utm` in bridge mode). Applying the document replaces our
// tables in one transaction and touches nothing else (the firewall4 way).
import {
  ACCEPT, DROP, MASQUERADE, anySet, counter, ctState, eq, inSet, log, meta, ne, payload, updateSet,
  type ChainObj, type Cmd, type Family, type NftDocument, type SetElem, type SetObj, type Stmt,
} from './json.js';
import { blocklistLogPrefix, blocklistSetNames, DEVICE_COUNTER_SETS, DEVICE_COUNTER_TIMEOUT_S, type BlocklistGroup, type Policy } from './policy.js';

const FILTER = 0; // nft's "filter" priority

/** The dynamic set of (MAC, IPv4) pairs seen on the LAN side, filled in the packet path so
 *  device discovery sees even devices that never use DHCP (read with `nft -j list set`). */
export const LAN_SEEN_SET = 'lan_seen';
const LAN_SEEN_TIMEOUT_S = 3600;

/** Sets whose elements only the packet path writes: a re-apply leaves them in the kernel
 *  (NftDriver.apply keepSets), so sightings and per-device byte counters survive it. */
export const DYNAMIC_SETS: readonly string[] = [
  LAN_SEEN_SET,
  ...Object.values(DEVICE_COUNTER_SETS).flatMap((byFam) => [byFam[4], byFam[6]]),
];
const LAN_SEEN_SIZE = 65_536;

function lanSeenSet(): { name: string; type: ['ether_addr', 'ipv4_addr']; flags: ['timeout']; timeout: number; size: number } {
  // nft adds the `dynamic` flag itself once a rule updates the set from the packet path.
  return { name: LAN_SEEN_SET, type: ['ether_addr', 'ipv4_addr'], flags: ['timeout'], timeout: LAN_SEEN_TIMEOUT_S, size: LAN_SEEN_SIZE };
}

/** Records the sender's (MAC, IPv4) for traffic entering on a LAN-side port. */
function lanSeenRule(lanIfs: string[]): Stmt[] {
  return [eq(meta('iifname'), anySet(lanIfs)), eq(meta('nfproto'), 'ipv4'), ne(payload('ip', 'saddr'), '0.0.0.0'), updateSet(LAN_SEEN_SET, payload('ether', 'saddr'), payload('ip', 'saddr'))];
}
const SRCNAT = 100;

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

  for (const s of deviceCounterSets(p)) set(s);
  set({ name: 'allow_v4', type: 'ipv4_addr', flags: ['interval'], ...elems(p.allow.v4) });
  set({ name: 'allow_v6', type: 'ipv6_addr', flags: ['interval'], ...elems(p.allow.v6) });
  if (router) set({ name: 'quarantine', type: 'ether_addr', ...elems(p.quarantine) });
  if (router) set(lanSeenSet());
  for (const g of p.blocklists) {
    for (const fam of [4, 6] as const) {
      const names = blocklistSetNames(g.id, fam);
      const type = fam === 4 ? 'ipv4_addr' : 'ipv6_addr';
      const fe = fam === 4 ? g.v4 : g.v6;
      set({ name: names.single, type, ...(g.timeouts ? { flags: ['timeout'] } : {}), ...elems(fe.single) });
      set({ name: names.net, type, flags: g.timeouts ? ['interval', 'timeout'] : ['interval'], ...elems(fe.net) });
    }
    for (const dir of dirs(g)) out.push({ add: { counter: { family: F, table: t, name: `bl_${g.id}_${dir}` } } });
  }
  if (router) out.push({ add: { counter: { family: F, table: t, name: 'wan_unsolicited' } } });

  // Blocklist chain, jumped to from input, forward and output. It runs before the
  // conntrack "established" shortcut so a new listing cuts a live connection at once.
  chain({ name: 'blocklist' });
  for (const g of p.blocklists) for (const r of blocklistRules(p, g)) rule('blocklist', r);

  chain({ name: 'forward', type: 'filter', hook: 'forward', prio: FILTER, policy: router ? 'drop' : 'accept' });
  if (router) rule('forward', lanSeenRule(p.ifaces.lan));
  if (router) rule('forward', [inSet(payload('ether', 'saddr'), 'quarantine'), counter(), DROP]);
  rule('forward', [{ jump: { target: 'blocklist' } }]);
  for (const r of deviceCounterRules(p)) rule('forward', r);
  rule('forward', [ctState('established', 'related'), ACCEPT]);
  rule('forward', [ctState('invalid'), DROP]);
  if (router) {
    rule('forward', [eq(payload('icmpv6', 'type'), anySet(p.base.icmpv6)), ACCEPT]);
    const lan = anySet(p.ifaces.lan);
    rule('forward', [eq(meta('iifname'), lan), eq(meta('oifname'), p.ifaces.wan), ACCEPT]);
    rule('forward', [eq(meta('iifname'), lan), eq(meta('oifname'), lan), ACCEPT]);
    rule('forward', [eq(meta('iifname'), p.ifaces.wan), counter('wan_unsolicited'), DROP]);
  }

  chain({ name: 'input', type: 'filter', hook: 'input', prio: FILTER, policy: router ? 'drop' : 'accept' });
  rule('input', [eq(meta('iif'), 'lo'), ACCEPT]);
  if (router) rule('input', lanSeenRule(p.ifaces.lan));
  if (router) {
    const q = inSet(payload('ether', 'saddr'), 'quarantine');
    const qa = p.base.quarantineAllowed;
    rule('input', [q, eq(payload('udp', 'dport'), anySet(qa.udp)), ACCEPT]);
    rule('input', [q, eq(payload('tcp', 'dport'), anySet([...qa.tcp, p.uiPort])), ACCEPT]);
    rule('input', [q, counter(), DROP]);
  }
  rule('input', [{ jump: { target: 'blocklist' } }]);
  rule('input', [ctState('established', 'related'), ACCEPT]);
  rule('input', [ctState('invalid'), DROP]);
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
  rule('output', [{ jump: { target: 'blocklist' } }]);

  if (router) {
    chain({ name: 'postrouting', type: 'nat', hook: 'postrouting', prio: SRCNAT, policy: 'accept' });
    rule('postrouting', [eq(meta('oifname'), p.ifaces.wan), MASQUERADE]);
  }
  return out;
}

/** Per-device byte counters in the kernel: an office prefix set per family and two dynamic
 *  sets whose elements (one per device address) carry a counter, updated in the packet path.
 *  Reading them lists only these small sets, never the large blocklist sets. */
function deviceCounterSets(p: Policy): Omit<SetObj, 'family' | 'table'>[] {
  if (!p.lan) return [];
  const out: Omit<SetObj, 'family' | 'table'>[] = [];
  for (const fam of [4, 6] as const) {
    const lan = fam === 4 ? p.lan.v4 : p.lan.v6;
    if (!lan.length) continue;
    const type = fam === 4 ? 'ipv4_addr' : 'ipv6_addr';
    out.push({ name: `lan_v${fam}`, type, flags: ['interval'], elem: lan });
    for (const dir of ['tx', 'rx'] as const) {
      out.push({ name: DEVICE_COUNTER_SETS[dir][fam], type, flags: ['timeout'], timeout: DEVICE_COUNTER_TIMEOUT_S, size: 65536, stmt: [{ counter: null }] });
    }
  }
  return out;
}

function deviceCounterRules(p: Policy): Stmt[][] {
  if (!p.lan) return [];
  const rules: Stmt[][] = [];
  for (const fam of [4, 6] as const) {
    if (!(fam === 4 ? p.lan.v4 : p.lan.v6).length) continue;
    const proto = fam === 4 ? 'ip' : 'ip6';
    const lan = `lan_v${fam}`;
    rules.push([inSet(payload(proto, 'saddr'), lan), ne(payload(proto, 'daddr'), `@${lan}`), updateSet(DEVICE_COUNTER_SETS.tx[fam], payload(proto, 'saddr'))]);
    rules.push([inSet(payload(proto, 'daddr'), lan), ne(payload(proto, 'saddr'), `@${lan}`), updateSet(DEVICE_COUNTER_SETS.rx[fam], payload(proto, 'daddr'))]);
  }
  return rules;
}

/** Rules of one blocklist group: per direction and family, the allowlist is checked first. */
function blocklistRules(p: Policy, g: BlocklistGroup): Stmt[][] {
  const rules: Stmt[][] = [];
  for (const dir of dirs(g)) {
    const field = dir === 'out' ? 'daddr' : 'saddr';
    for (const fam of [4, 6] as const) {
      const proto = fam === 4 ? 'ip' : 'ip6';
      const names = blocklistSetNames(g.id, fam);
      const notAllowed = ne(payload(proto, field), `@allow_v${fam}`);
      for (const setName of [names.single, names.net]) {
        const hit = inSet(payload(proto, field), setName);
        const prefix = blocklistLogPrefix(p.base, g.action, dir, g.id);
        if (g.action === 'drop') {
          rules.push([notAllowed, hit, log(prefix, p.nflogGroup), counter(`bl_${g.id}_${dir}`), DROP]);
        } else {
          // Watch-only: report the first packet of each connection, let it through.
          rules.push([notAllowed, hit, ctState('new'), log(prefix, p.nflogGroup), counter(`bl_${g.id}_${dir}`)]);
        }
      }
    }
  }
  return rules;
}

/** Bridge mode: layer-2 rules that the inet table cannot express (no conntrack here). */
function renderBridge(p: Policy): Cmd[] {
  const t = p.base.tableName;
  const F: Family = 'bridge';
  const out: Cmd[] = [{ add: { table: { family: F, name: t } } }];
  const rule = (chainName: string, expr: Stmt[]): void => {
    out.push({ add: { rule: { family: F, table: t, chain: chainName, expr } } });
  };
  out.push({ add: { set: { family: F, table: t, name: 'quarantine', type: 'ether_addr', ...elems(p.quarantine) } } });
  out.push({ add: { set: { family: F, table: t, ...lanSeenSet() } } });
  out.push({ add: { chain: { family: F, table: t, name: 'input', type: 'filter', hook: 'input', prio: FILTER, policy: 'accept' } } });
  out.push({ add: { chain: { family: F, table: t, name: 'forward', type: 'filter', hook: 'forward', prio: FILTER, policy: 'accept' } } });

  // Who is on the office side, before anything can drop it (quarantined devices included).
  // (0.0.0.0 is a DHCP client without an address yet: DHCP capture covers it.)
  const seen = [eq(meta('iifname'), anySet(p.ifaces.lan)), eq(payload('ether', 'type'), 'ip'), ne(payload('ip', 'saddr'), '0.0.0.0'), updateSet(LAN_SEEN_SET, payload('ether', 'saddr'), payload('ip', 'saddr'))];
  rule('forward', seen);

  // The box's own page and shell answer on the office side only: on the ports the evidence
  // has proven to be the office's (none while unproven), or else on every port but the WAN.
  const mgmt = uniq([p.uiPort, ...p.base.lanServices.tcp.filter((x) => x !== 53)]);
  const notServed = p.servedPorts === undefined ? [eq(meta('iifname'), p.ifaces.wan)]
    : p.servedPorts.length ? [ne(meta('iifname'), anySet(p.servedPorts))] : [];
  rule('input', [...notServed, eq(payload('tcp', 'dport'), anySet(mgmt)), counter(), DROP]);
  rule('input', seen);
  const qs = inSet(payload('ether', 'saddr'), 'quarantine');
  rule('input', [qs, eq(meta('l4proto'), 'tcp'), ne(payload('tcp', 'dport'), p.uiPort), counter(), DROP]);

  // A quarantined device keeps address resolution, DHCP and DNS; everything else stops.
  const qa = p.base.quarantineAllowed;
  const qd = inSet(payload('ether', 'daddr'), 'quarantine');
  rule('forward', [qs, eq(payload('ether', 'type'), 'arp'), ACCEPT]);
  rule('forward', [qs, eq(payload('icmpv6', 'type'), anySet(ndTypes(p))), ACCEPT]);
  rule('forward', [qs, eq(payload('udp', 'dport'), anySet(qa.udp)), ACCEPT]);
  rule('forward', [qs, eq(payload('tcp', 'dport'), anySet(qa.tcp)), ACCEPT]);
  rule('forward', [qs, counter(), DROP]);
  rule('forward', [qd, eq(payload('ether', 'type'), 'arp'), ACCEPT]);
  rule('forward', [qd, eq(payload('icmpv6', 'type'), anySet(ndTypes(p))), ACCEPT]);
  rule('forward', [qd, eq(payload('udp', 'sport'), anySet(qa.udp)), ACCEPT]);
  rule('forward', [qd, eq(payload('tcp', 'sport'), anySet(qa.tcp)), ACCEPT]);
  rule('forward', [qd, counter(), DROP]);
  return out;
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
