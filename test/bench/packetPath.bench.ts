// Packet-path bench (issues 14 and 17): what the box's ruleset costs the office's traffic.
// An office built with the lab helpers (LAN host ↔ box ↔ "internet"), in router and in bridge
// mode. In the same run, rounds interleaved, each scenario is loaded into the box and measured:
//   plain        no table in the box (bridge: br_netfilter off): the kernel's forwarding alone
//   floor        one `ct state established,related accept` rule: what any stateful firewall pays
//   floor+nat    (router) the floor plus masquerade on the WAN port (the shipped router policy NATs)
//   floor+ft     (router) the floor plus a flowtable (`flow add @ft`, software offload)
//   floor+mark   (bridge) the floor plus the bridge table's office-mark rule alone
//   before       the policy as shipped before the fast path (test/bench/fixtures/packetPath-before-*.nft)
//   main, main+quarantine  (bridge) the shipped policy of commit eea3143, before the quarantine of
//                IP frames moved from the bridge table to the inet table's new connections
//                (test/bench/fixtures/packetPath-main-bridge*.json, rendered for this lab)
//   shipped      the policy utmd renders (rules/base-policy.json + the lab's config), no feeds
//   shipped+1M   the same with a feed group of ~1M entries (realistic mix of prefix lengths),
//                in the masked layout (a hash set per common prefix length, issue 14)
//   shipped+1M-rhash     the same, its hash sets declared without a size (the rhashtable, before 2026-12-03)
//   shipped+1M-interval  the same entries in the layout before: singles hash + one interval set
//   quarantine   the shipped policy with one (other) device in quarantine (bridge: the bridge
//                forward chain armed, every frame looked up: nft/render.ts bridgeForwardRules)
// Load: test/bench/udpBlast.c (built here with cc): 64-byte UDP frames from one LAN host to
// 256 internet addresses (one conntrack flow each, opened by a ping/pong), delivered packets
// counted by an nft counter in the internet namespace; latency = UDP ping/pong round trips to
// the same 256 addresses; new flows = 64-byte UDP frames each to a new (address, port) pair,
// so every packet is a connection's first (conntrack entry created, the lists walked); bulk
// TCP = one iperf3 stream paced at TCP_RATE, both ends pinned to one CPU (taskset), read as
// the CPU time both ends spent per KiB delivered (iperf3's own figures).
// Why CPU time and not rates: on a shared, loaded machine packets per second and Gbit/s swing
// by 2–10× between rounds, while the CPU a packet or a byte costs is far steadier. On veth
// the box's forwarding runs in the softirq of the sending (and, for ACKs, the receiving)
// process, and this kernel has no IRQ time accounting (CONFIG_IRQ_TIME_ACCOUNTING unset), so
// that work is charged to those processes. "floor/this" is the rate a ratio of costs implies.
// Pairing: within a round every scenario is measured right after a floor measurement, and a
// floor closes the round; each scenario's ratio is its cost against the mean of the floors
// just before and after it (the machine's load drifts slowly), and the report gives the
// median of those paired ratios over ROUNDS.
// Needs root, cc, iperf3 and taskset. Run: npx tsx test/bench/packetPath.bench.ts
//   env: ROUNDS (3), SECONDS per measurement (3), ENTRIES (1000000), MODES (router,bridge),
//        SCENARIOS (comma-separated names, default all), TCP_RATE (iperf3 -b, default 500M),
//        CPU (the CPU both iperf3 ends are pinned to, default 1)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConfigSchema } from '../../firmware/src/config/schema.js';
import { planNetwork } from '../../firmware/src/policy/network.js';
import { buildPolicy } from '../../firmware/src/policy/build.js';
import { renderRuleset } from '../../firmware/src/nft/render.js';
import { BasePolicySchema, type BlocklistGroup } from '../../firmware/src/nft/policy.js';
import { manualGroup } from '../../firmware/src/blocklist/manual.js';
import { toBlocklistGroup } from '../../firmware/src/blocklist/layout.js';
import { packRanges, splitPacked } from '../../firmware/src/blocklist/packed.js';
import { rangeElem } from '../../firmware/src/policy/elements.js';
import type { SetElem } from '../../firmware/src/nft/json.js';
import type { IpRange } from '../../firmware/src/net/ip.js';
import type { NetworkFacts } from '../../firmware/src/net/topology.js';
import { createLab, type Lab } from '../lab/lab.js';
import { labUtmdConfig } from '../lab/utmd.js';

const NFT = '/usr/sbin/nft';
const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const SECONDS = Number(process.env['SECONDS'] ?? 3);
const ENTRIES = Number(process.env['ENTRIES'] ?? 1_000_000);
const MODES = (process.env['MODES'] ?? 'router,bridge').split(',') as ('router' | 'bridge')[];
/** Only these scenarios (comma-separated names; default all). */
const SCENARIOS = process.env['SCENARIOS']?.split(',') ?? null;
const ECHO_PORT = 7;
const TCP_RATE = process.env['TCP_RATE'] ?? '500M';
const PIN = process.env['CPU'] ?? '1';
/** New-flow load: ports NEW_PORT.. on each destination (256 × 512 pairs: no pair repeats in a run). */
const NEW_PORT = 20000;
const NEW_PORTS = 512;
const NEW_SECONDS = 1;
const base = BasePolicySchema.parse(JSON.parse(readFileSync(new URL('../../rules/base-policy.json', import.meta.url), 'utf8')));

/** 256 internet addresses, none of the lab's named hosts and none on any list. */
const DESTS = [
  ...Array.from({ length: 100 }, (_, i) => `192.0.2.${100 + i}`),
  ...Array.from({ length: 100 }, (_, i) => `198.51.100.${100 + i}`),
  ...Array.from({ length: 56 }, (_, i) => `203.0.113.${130 + i}`),
];

/** Deterministic feed of `n` IPv4 entries outside the lab's ranges (1.0.0.0–99.255.255.255),
 *  with a mix of lengths like the public drop lists': mostly single addresses, some /24s,
 *  a tail of other lengths. Returns ranges (aligned prefixes). */
export function feedMix(n: number): IpRange[] {
  let s = 0x2545f491;
  const rnd = (): number => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return (s >>> 0) / 4294967296; };
  const mix: [number, number][] = [[32, 0.85], [24, 0.08], [23, 0.015], [22, 0.012], [21, 0.005], [20, 0.008], [19, 0.003],
    [18, 0.002], [17, 0.001], [16, 0.004], [25, 0.004], [26, 0.004], [27, 0.004], [28, 0.003], [29, 0.003], [30, 0.001], [31, 0.001]];
  const out: IpRange[] = new Array(n);
  for (let i = 0; i < n; i++) {
    let r = rnd(); let len = 32;
    for (const [l, p] of mix) { if (r < p) { len = l; break; } r -= p; }
    const size = 2 ** (32 - len);
    const first = Math.floor((0x01000000 + rnd() * (0x63ffffff - 0x01000000)) / size) * size;
    out[i] = { family: 4, first: BigInt(first), last: BigInt(first + size - 1) };
  }
  return out;
}

function facts(mode: 'router' | 'bridge'): NetworkFacts {
  const ether = (name: string, kind?: string) => ({ name, linkType: 'ether', ...(kind ? { kind } : {}) });
  return (mode === 'router'
    ? { links: [ether('eth0'), ether('eth1')], addrs: [
      { ifname: 'eth0', family: 4, local: '100.64.77.2', prefixLen: 30, scope: 'global' },
      { ifname: 'eth1', family: 4, local: '192.168.77.1', prefixLen: 24, scope: 'global' }], defaultGateways: ['100.64.77.1'], neighbours: [], fdb: [] }
    : { links: [ether('eth0'), ether('eth1'), ether('br0', 'bridge')], addrs: [
      { ifname: 'br0', family: 4, local: '192.168.77.2', prefixLen: 24, scope: 'global' }], defaultGateways: ['192.168.77.1'], neighbours: [], fdb: [] }) as unknown as NetworkFacts;
}

/** The nft JSON document utmd would apply in this lab, with optional feed group and quarantine. */
function shippedDoc(lab: Lab, feed: BlocklistGroup | undefined, quarantine: string[]): string {
  const config = ConfigSchema.parse(labUtmdConfig(lab));
  const plan = planNetwork(config, facts(lab.mode));
  const manual = manualGroup([], Date.now());
  const policy = buildPolicy({ config, provisioning: null, base, plan, quarantine, extraGroups: [...(feed ? [feed] : []), manual] });
  return JSON.stringify(renderRuleset(policy));
}

/** The document with the feed groups' hash sets declared without a size. */
function unsized(doc: string): string {
  const d = JSON.parse(doc) as { nftables: Array<{ add?: { set?: { name: string; size?: number } } }> };
  for (const c of d.nftables) if (c.add?.set?.name.startsWith('bl_f')) delete c.add.set.size;
  return JSON.stringify(d);
}

const FLOOR = `table inet utm {\n chain forward { type filter hook forward priority filter; policy accept; ct state established,related accept; }\n}\n`;
const FLOOR_NAT = `table inet utm {\n chain forward { type filter hook forward priority filter; policy accept; ct state established,related accept; }\n chain postrouting { type nat hook postrouting priority srcnat; policy accept; oifname "eth0" masquerade; }\n}\n`;
const FLOOR_FT = `table inet utm {\n flowtable ft { hook ingress priority filter; devices = { eth0, eth1 }; }\n chain forward { type filter hook forward priority filter; policy accept; meta l4proto { tcp, udp } flow add @ft; ct state established,related accept; }\n}\n`;
const FLOOR_MARK = `table bridge utm {\n chain forward { type filter hook forward priority 0; policy accept; iifname "eth1" meta mark set meta mark | 0x00800000; }\n}\n`;
const FLUSH = 'table inet utm {}\ndelete table inet utm\ntable bridge utm {}\ndelete table bridge utm\n';

interface Sample { cpuNs: number; pps: number; offered: number; p50: number; p99: number; newP50: number; lost: number; newCpuNs: number; tcpNsPerKiB: number; tcpMbit: number; applyS: number }
/** A scenario's costs against the floors measured just before and after it. */
interface Ratios { cpu: number; newCpu: number; tcp: number }
type Scenario = { name: string; modes: ('router' | 'bridge')[]; brnf: boolean; text?: string; json?: () => string; optional?: boolean };

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'utm-pp-'));
  const blast = join(work, 'udpBlast');
  execFileSync('cc', ['-O2', '-o', blast, new URL('./udpBlast.c', import.meta.url).pathname]);
  const t0 = performance.now();
  const mixRanges = feedMix(ENTRIES);
  const content = splitPacked(packRanges(mixRanges));
  const lengths = new Map<number, number>();
  for (const r of mixRanges) { const l = 32 - Math.log2(Number(r.last - r.first) + 1); lengths.set(l, (lengths.get(l) ?? 0) + 1); }
  const feed = toBlocklistGroup({ id: 'fbothdrop', direction: 'both', action: 'drop', feedIds: ['bench'] }, content);
  FEED_LOOKUPS = 2 + (feed.v4.masked?.length ?? 0);
  // the layout before (issue 14): singles in the hash set, every other merged range in one interval set
  const packed = packRanges(mixRanges);
  const oldNets: SetElem[] = [];
  for (let i = 0; i < packed.v4First.length; i++) {
    const f = packed.v4First[i]!;
    const l = packed.v4Last[i]!;
    if (f !== l) oldNets.push(rangeElem({ family: 4, first: BigInt(f), last: BigInt(l) }));
  }
  const oldFeed: BlocklistGroup = { ...feed, v4: { single: feed.v4.single, net: oldNets, masked: [] } };
  console.log(`feed: ${ENTRIES} entries generated → ${content.v4Singles.length} singles, masked ${content.v4Masked.map((m) => `/${m.len}:${m.nets.length}`).join(' ')}, ${content.v4Nets.length} prefixes of rare lengths (interval set) (${((performance.now() - t0) / 1000).toFixed(1)} s); lengths: ${[...lengths].sort((a, b) => a[0] - b[0]).map(([l, c]) => `/${l}:${c}`).join(' ')}; layout before: ${feed.v4.single.length} singles + ${oldNets.length} ranges in one interval set`);
  const results: Record<string, Record<string, Sample[]>> = {};
  try {
    for (const mode of MODES) results[mode] = await benchMode(mode, blast, work, feed, oldFeed);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  report(results);
}

async function benchMode(mode: 'router' | 'bridge', blast: string, work: string, feed: BlocklistGroup, oldFeed: BlocklistGroup): Promise<Record<string, Sample[]>> {
  const lab = await createLab({ mode, lanHosts: 1, v6: false });
  try {
    const host = lab.hosts[0]!;
    const quarantined = '02:00:00:00:aa:01';
    const all: Scenario[] = [
      { name: 'plain', modes: ['router', 'bridge'], brnf: false, text: FLUSH },
      { name: 'floor', modes: ['router', 'bridge'], brnf: true, text: FLUSH + FLOOR },
      // a router that shares one address (masquerade), as the shipped router policy does
      { name: 'floor+nat', modes: ['router'], brnf: true, text: FLUSH + FLOOR_NAT },
      { name: 'floor+ft', modes: ['router'], brnf: true, text: FLUSH + FLOOR_FT, optional: true },
      // (bridge) the floor plus the one per-frame rule any design that marks office frames pays
      { name: 'floor+mark', modes: ['bridge'], brnf: true, text: FLUSH + FLOOR + FLOOR_MARK },
      // the policy as shipped before the fast path (goldens router.nft / bridge-feed.nft of commit 5f80a0a)
      { name: 'before', modes: ['router', 'bridge'], brnf: true, text: FLUSH + readFileSync(new URL(`./fixtures/packetPath-before-${mode}.nft`, import.meta.url), 'utf8') },
      // bridge: main's shipped policy before the bridge table's quarantine moved to the inet
      // table (commit eea3143, rendered for this lab; without / with the quarantined device)
      { name: 'main', modes: ['bridge'], brnf: true, json: () => readFileSync(new URL('./fixtures/packetPath-main-bridge.json', import.meta.url), 'utf8') },
      { name: 'main+quarantine', modes: ['bridge'], brnf: true, json: () => readFileSync(new URL('./fixtures/packetPath-main-bridge-quarantine.json', import.meta.url), 'utf8') },
      { name: 'shipped', modes: ['router', 'bridge'], brnf: true, json: () => shippedDoc(lab, undefined, []) },
      { name: 'quarantine', modes: ['router', 'bridge'], brnf: true, json: () => shippedDoc(lab, undefined, [quarantined]) },
      { name: 'shipped+1M', modes: ['router', 'bridge'], brnf: true, json: () => shippedDoc(lab, feed, []) },
      // the same masked sets declared without a size (the kernel's rhashtable, as before 2026-12-03)
      { name: 'shipped+1M-rhash', modes: ['router', 'bridge'], brnf: true, json: () => unsized(shippedDoc(lab, feed, [])) },
      // the same 1M entries in the layout before issue 14 (singles hash + one interval set)
      { name: 'shipped+1M-interval', modes: ['router', 'bridge'], brnf: true, json: () => shippedDoc(lab, oldFeed, []) },
    ];
    const scenarios = all.filter((x) => SCENARIOS === null || SCENARIOS.includes(x.name));
    // The internet side: count-and-drop the flood, echo the pings, serve iperf3.
    const counter = join(work, `count-${mode}.nft`);
    writeFileSync(counter, `table inet bench {\n counter flood {}\n counter newflood {}\n chain pre { type filter hook prerouting priority raw; policy accept; udp dport ${ECHO_PORT} @th,64,8 0x46 counter name flood drop; udp dport ${NEW_PORT}-${NEW_PORT + NEW_PORTS - 1} @th,64,8 0x4e counter name newflood drop; }\n}\n`);
    await lab.exec(lab.ns.wan, [NFT, '-f', counter]);
    await lab.spawn(lab.ns.wan, [blast, 'echo', String(ECHO_PORT)]);
    await lab.spawn(lab.ns.wan, ['taskset', '-c', PIN, 'iperf3', '-s']);
    const out: Record<string, Sample[]> = {};
    const ratios: Record<string, Ratios[]> = {};
    const skipped = new Set<string>();
    const floorSc = all.find((x) => x.name === 'floor');
    if (!floorSc) throw new Error('no floor scenario');
    const one = async (sc: Scenario, round: number): Promise<Sample | null> => {
      let applyS: number;
      try {
        applyS = await load(lab, sc, work);
      } catch (e) {
        if (!sc.optional) throw e;
        // e.g. a kernel built without CONFIG_NF_FLOW_TABLE: say so, measure the rest
        skipped.add(sc.name);
        console.log(`${mode} ${sc.name}: not available here (${String((e as { stderr?: string }).stderr ?? e).split('\n')[0]})`);
        return null;
      }
      const s = { ...await measure(lab, host.ns, blast), applyS };
      (out[sc.name] ??= []).push(s);
      console.log(`${mode} round ${round + 1} ${sc.name}: ${s.cpuNs} ns CPU per packet, ${fmt(s.pps)} pps delivered (offered ${fmt(s.offered)}), rtt p50 ${s.p50.toFixed(0)} µs p99 ${s.p99.toFixed(0)} µs, first packet p50 ${s.newP50.toFixed(0)} µs, lost ${s.lost}; new flows ${s.newCpuNs} ns CPU per packet; TCP ${s.tcpNsPerKiB.toFixed(0)} ns CPU per KiB at ${s.tcpMbit.toFixed(0)} Mbit/s; load ${applyS.toFixed(1)} s`);
      return s;
    };
    for (let round = 0; round < ROUNDS; round++) {
      // floor, A, floor, B, …, floor: each scenario between two floor measurements
      let before = await one(floorSc, round);
      for (const sc of scenarios.filter((x) => x.modes.includes(mode) && !skipped.has(x.name) && x.name !== 'floor')) {
        const s = await one(sc, round);
        if (!s) continue;
        const after = await one(floorSc, round);
        if (before && after) {
          const f = (k: (x: Sample) => number): number => (k(before as Sample) + k(after)) / 2;
          (ratios[sc.name] ??= []).push({ cpu: f((x) => x.cpuNs) / s.cpuNs, newCpu: f((x) => x.newCpuNs) / s.newCpuNs, tcp: f((x) => x.tcpNsPerKiB) / s.tcpNsPerKiB });
        }
        before = after;
      }
    }
    pairedRatios[mode] = ratios;
    if (mode === 'bridge') console.log(`bridge mode, flowtable on the bridge ports: ${await bridgeFlowtable(lab, work, host.ns, blast)}`);
    return out;
  } finally {
    await lab.destroy();
  }
}

async function load(lab: Lab, sc: Scenario, work: string): Promise<number> {
  const box = lab.box.ns;
  if (lab.mode === 'bridge') for (const k of ['iptables', 'ip6tables']) await lab.exec(box, ['sysctl', '-qw', `net.bridge.bridge-nf-call-${k}=${sc.brnf ? 1 : 0}`]);
  const file = join(work, 'ruleset');
  writeFileSync(file, FLUSH);
  await lab.exec(box, [NFT, '-f', file]);
  const t = performance.now();
  if (sc.text !== undefined) { writeFileSync(file, sc.text); await lab.exec(box, [NFT, '-f', file]); }
  if (sc.json) { writeFileSync(file, sc.json()); await lab.exec(box, [NFT, '-j', '-f', file], { timeoutMs: 600_000 }); }
  const s = (performance.now() - t) / 1000;
  await lab.exec(box, ['conntrack', '-F']).catch(() => undefined);
  return s;
}

const floodCount = (lab: Lab): Promise<number> => counted(lab, 'flood');

async function counted(lab: Lab, name: string): Promise<number> {
  const j = JSON.parse(await lab.exec(lab.ns.wan, [NFT, '-j', 'list', 'counter', 'inet', 'bench', name])) as { nftables: { counter?: { packets: number } }[] };
  return j.nftables.find((x) => x.counter)?.counter?.packets ?? 0;
}

const IperfJson = (x: unknown): { bytes: number; seconds: number; host: number; remote: number } => {
  const j = x as { end: { sum_received: { bytes: number; seconds: number }; cpu_utilization_percent: { host_total: number; remote_total: number } } };
  return { bytes: j.end.sum_received.bytes, seconds: j.end.sum_received.seconds, host: j.end.cpu_utilization_percent.host_total, remote: j.end.cpu_utilization_percent.remote_total };
};

async function measure(lab: Lab, hostNs: string, blast: string): Promise<Omit<Sample, 'applyS'>> {
  const before = await floodCount(lab);
  const r = JSON.parse(await lab.exec(hostNs, [blast, 'send', String(SECONDS), '5', String(ECHO_PORT), ...DESTS], { timeoutMs: 120_000 })) as
    { cpuNsPerPacket: number; sent: number; seconds: number; rttP50us: number; rttP99us: number; lost: number; newP50us: number };
  const delivered = (await floodCount(lab)) - before;
  // every packet a connection's first: conntrack creates an entry, the box's lists are walked
  const n = JSON.parse(await lab.exec(hostNs, [blast, 'newflows', String(NEW_SECONDS), String(NEW_PORT), String(NEW_PORTS), ...DESTS], { timeoutMs: 120_000 })) as { cpuNsPerPacket: number };
  await lab.exec(lab.box.ns, ['conntrack', '-F']).catch(() => undefined);
  // bulk TCP at a fixed offered rate, both ends on one CPU: CPU time of both ends per KiB
  const ip = IperfJson(JSON.parse(await lab.exec(hostNs, ['taskset', '-c', PIN, 'iperf3', '-J', '-c', DESTS[0]!, '-t', String(SECONDS), '-b', TCP_RATE], { timeoutMs: 120_000 })));
  const cpuS = ((ip.host + ip.remote) / 100) * ip.seconds;
  return {
    cpuNs: r.cpuNsPerPacket, pps: delivered / r.seconds, offered: r.sent / r.seconds, p50: r.rttP50us, p99: r.rttP99us, newP50: r.newP50us, lost: r.lost,
    newCpuNs: n.cpuNsPerPacket, tcpNsPerKiB: (cpuS * 1e9) / (ip.bytes / 1024), tcpMbit: (ip.bytes * 8) / ip.seconds / 1e6,
  };
}

/** Bridge mode: does the kernel offload bridged flows to a flowtable on the bridge ports? */
async function bridgeFlowtable(lab: Lab, work: string, hostNs: string, blast: string): Promise<string> {
  const file = join(work, 'ft');
  writeFileSync(file, FLUSH + FLOOR_FT);
  const r = await lab.execResult(lab.box.ns, [NFT, '-f', file]);
  if (r.code !== 0) return `refused by nft: ${r.stderr.trim().split('\n')[0]}`;
  await lab.exec(hostNs, [blast, 'send', '1', '1', String(ECHO_PORT), ...DESTS.slice(0, 4)]);
  const ct = await lab.exec(lab.box.ns, ['conntrack', '-L']).catch(() => '');
  const offloaded = (ct.match(/OFFLOAD/g) ?? []).length;
  return `accepted; ${offloaded} of ${ct.split('\n').filter((l) => l.includes('dport=7')).length} bridged UDP flows offloaded`;
}

const med = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Set lookups the 1M group's lookup chain holds per family and direction (singles, masked lengths, interval set). */
let FEED_LOOKUPS = 0;
const pairedRatios: Record<string, Record<string, Ratios[]>> = {};

function report(results: Record<string, Record<string, Sample[]>>): void {
  console.log(`\n## packet path, ${new Date().toISOString().slice(0, 10)}, medians of ${ROUNDS} rounds, ${SECONDS} s each, 256 destinations; ratios are medians of paired ratios (each scenario against the floors just before and after it)`);
  console.log('| mode | scenario | CPU per 64 B packet | floor/this (paired) | UDP 64 B delivered | rtt p50 / p99 | new flow: CPU per packet | floor/this (paired) | TCP at a fixed rate: CPU per KiB | floor/this (paired) | TCP delivered | ruleset load |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [mode, byName] of Object.entries(results)) {
    for (const [name, ss] of Object.entries(byName)) {
      if (!ss.length) continue;
      const rs = pairedRatios[mode]?.[name] ?? [];
      const r = (k: (x: Ratios) => number): string => (rs.length ? `${med(rs.map(k)).toFixed(2)} (${Math.min(...rs.map(k)).toFixed(2)}–${Math.max(...rs.map(k)).toFixed(2)})` : name === 'floor' ? '1.00' : '—');
      console.log(`| ${mode} | ${name} | ${med(ss.map((s) => s.cpuNs)).toFixed(0)} ns | ${r((x) => x.cpu)} | ${fmt(med(ss.map((s) => s.pps)))} pps | ${med(ss.map((s) => s.p50)).toFixed(0)} / ${med(ss.map((s) => s.p99)).toFixed(0)} µs | ${med(ss.map((s) => s.newCpuNs)).toFixed(0)} ns | ${r((x) => x.newCpu)} | ${med(ss.map((s) => s.tcpNsPerKiB)).toFixed(0)} ns | ${r((x) => x.tcp)} | ${med(ss.map((s) => s.tcpMbit)).toFixed(0)} Mbit/s | ${med(ss.map((s) => s.applyS)).toFixed(1)} s |`);
    }
  }
  // issue 17: what the blocklist lookups cost a connection's first packet (established packets skip them)
  for (const [mode, byName] of Object.entries(results)) {
    const m = byName['shipped+1M'] ?? [];
    const e = byName['shipped'] ?? [];
    if (!m.length || !e.length) continue;
    const d = med(m.map((s) => s.newCpuNs)) - med(e.map((s) => s.newCpuNs));
    console.log(`${mode}: new-flow CPU per packet, shipped+1M − shipped: ${d.toFixed(0)} ns for the 1M group's ${FEED_LOOKUPS} more lookups per new outbound connection (${(d / FEED_LOOKUPS).toFixed(0)} ns per lookup)`);
  }
  // issue 14: what the masked layout costs against the interval layout it replaced, same run
  for (const [mode, byName] of Object.entries(results)) {
    const m = byName['shipped+1M'] ?? [];
    const o = byName['shipped+1M-interval'] ?? [];
    const e = byName['shipped'] ?? [];
    if (!m.length || !o.length) continue;
    const r = (k: (s: Sample) => number, a: Sample[], b: Sample[]): string => (med(a.map(k)) / med(b.map(k))).toFixed(2);
    const h = byName['shipped+1M-rhash'] ?? [];
    if (h.length) console.log(`${mode}: 1M masked sized / unsized (fixed-size hash / rhashtable): CPU per packet ${r((s) => s.cpuNs, m, h)}, new-flow CPU per packet ${r((s) => s.newCpuNs, m, h)}, new-flow rtt ${r((s) => s.newP50, m, h)}, pps ${r((s) => s.pps, m, h)}, ruleset load ${r((s) => s.applyS, m, h)}`);
    console.log(`${mode}: 1M masked / 1M interval: CPU per packet ${r((s) => s.cpuNs, m, o)}, new-flow rtt ${r((s) => s.newP50, m, o)}, pps ${r((s) => s.pps, m, o)}` +
      (e.length ? `; 1M masked / empty: CPU per packet ${r((s) => s.cpuNs, m, e)}, new-flow rtt ${r((s) => s.newP50, m, e)}; 1M interval / empty: CPU ${r((s) => s.cpuNs, o, e)}, new-flow rtt ${r((s) => s.newP50, o, e)}` : ''));
  }
}

await main();
