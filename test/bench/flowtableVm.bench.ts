// Flowtable bench (issue 17, router mode): what software offload of established flows gains,
// measured on the kernel the box ships. This host's kernel has no CONFIG_NF_FLOW_TABLE, so the
// bench boots Debian 13 (trixie)'s kernel under QEMU (`-kernel … -initrd …`, no disk image)
// with a small root filesystem (test/bench/flowtableVm.build.sh, cached in FLOWVM_CACHE) and
// runs test/bench/flowtableVm.guest.sh inside it: an office in namespaces (LAN host ↔ box ↔
// internet), each scenario's ruleset loaded into the box in turn, in interleaved rounds
// (floor, A, floor, B, …, floor), as test/bench/packetPath.bench.ts pairs them:
//   plain        no table in the box
//   floor        one `ct state established,related accept` rule: what any stateful firewall pays
//   floor+nat    the floor plus masquerade on the WAN port
//   floor+ft     the floor plus a flowtable (counter) and `flow add @ft`
//   shipped      utmd's router-mode ruleset (rules/base-policy.json, a lab config), no flowtable
//   shipped+ft   the same as utmd renders it when the probe offers a flowtable (flowtable first),
//                loaded as JSON only: nft's JSON reader drops the flowtable's counter flag
//   shipped+ftc  the same followed by utmd's native update that sets the counter flag
//                (nft/flowtableProbe.ts's flowtableCounterText): what the box runs
// Load: 64-byte UDP frames from the LAN host to 256 internet addresses (test/bench/udpBlast.c,
// static), counted where they arrive; bulk TCP: one iperf3 stream. The VM has one vCPU that
// sender, box and receiver share, so delivered packets per second (and Mbit/s) measure the
// whole path's cost; a scenario's figure is its rate over the mean of the floors measured just
// before and after it (the host's load drifts slowly; a ratio within one run stays a ratio),
// and the report gives the median of those paired ratios over ROUNDS.
// Checked once per run, in the VM: flows really offloaded (conntrack's [OFFLOAD]), conntrack's
// packet counts of offloaded flows against the packets delivered (flowtable with `counter`,
// the same JSON without flags, as nft 1.0.6 reads it, and no flowtable), utmd's apply path
// (`nft -c -j`, `nft -j -f` twice, read back and verified with nft/verify.ts), the flowtable
// probe's own question (nft/flowtableProbe.ts's document and verdict), that `conntrack -D`
// ends an offloaded flow, and what the kernel says to a flowtable for bridged traffic.
// Needs root, qemu-system-x86, mmdebstrap, cpio, zstd, cc with a static libc (libc6-dev).
// Run: make bench-flowtable, or npx tsx test/bench/flowtableVm.bench.ts
//   env: ROUNDS (4), SECONDS of UDP per measurement (2), TCP_BYTES per iperf3 stream (32M), FLOWVM_CACHE (/var/cache/otasuke-flowvm),
//        ACCEL (tcg; kvm where the host offers VMX/SVM), TIMEOUT_S (5400), FLOWVM_RAW (file for the raw results)
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigSchema } from '../../firmware/src/config/schema.js';
import { planNetwork } from '../../firmware/src/policy/network.js';
import { buildPolicy } from '../../firmware/src/policy/build.js';
import { FLOWTABLE, renderRuleset } from '../../firmware/src/nft/render.js';
import { BasePolicySchema } from '../../firmware/src/nft/policy.js';
import { manualGroup } from '../../firmware/src/blocklist/manual.js';
import { flowtableCounterText, flowtableProbeDoc, flowtableProbeText, readFlowtableProbe } from '../../firmware/src/nft/flowtableProbe.js';
import { verifyReadBack } from '../../firmware/src/nft/verify.js';
import type { NftDocument } from '../../firmware/src/nft/json.js';
import type { NetworkFacts } from '../../firmware/src/net/topology.js';
import { INTERNET, planTopology } from '../lab/topology.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 4);
const SECONDS = Number(process.env['SECONDS'] ?? 2);
const TCP_BYTES = process.env['TCP_BYTES'] ?? '32M';
const CACHE = process.env['FLOWVM_CACHE'] ?? '/var/cache/otasuke-flowvm';
const ACCEL = process.env['ACCEL'] ?? 'tcg';
const TIMEOUT_S = Number(process.env['TIMEOUT_S'] ?? 5400);
const SCENARIOS = ['plain', 'floor+nat', 'floor+ft', 'shipped', 'shipped+ft', 'shipped+ftc'];
const here = (f: string): string => new URL(f, import.meta.url).pathname;

/** 256 internet addresses (documentation ranges), as packetPath.bench.ts sends to. */
const DESTS = [
  ...Array.from({ length: 100 }, (_, i) => `192.0.2.${100 + i}`),
  ...Array.from({ length: 100 }, (_, i) => `198.51.100.${100 + i}`),
  ...Array.from({ length: 56 }, (_, i) => `203.0.113.${130 + i}`),
];

const FLOOR = ' chain forward { type filter hook forward priority filter; policy accept; ct state established,related accept; }\n';
const TEXT: Record<string, string> = {
  plain: '',
  floor: `table inet utm {\n${FLOOR}}\n`,
  'floor+nat': `table inet utm {\n${FLOOR} chain postrouting { type nat hook postrouting priority srcnat; policy accept; oifname "eth0" masquerade; }\n}\n`,
  'floor+ft': 'table inet utm {\n flowtable ft { hook ingress priority filter; devices = { eth0, eth1 }; counter; }\n' +
    ' chain forward { type filter hook forward priority filter; policy accept; meta l4proto { tcp, udp } ct state established flow add @ft; ct state established,related accept; }\n}\n',
};

/** The documents utmd renders for the VM's office in router mode (WAN eth0, office eth1),
 *  without and with the flowtable (the ports utmd's appService gives it: WAN + office, sorted). */
function routerDocs(): { shipped: NftDocument; withFt: NftDocument; ports: string[] } {
  const base = BasePolicySchema.parse(JSON.parse(readFileSync(here('../../rules/base-policy.json'), 'utf8')));
  const topo = planTopology('router', 1);
  const config = ConfigSchema.parse({
    mode: 'router', interfaces: { wan: 'eth0', lan: ['eth1'] }, lan: { prefixes: [topo.lanPrefix.v4] },
    blocklist: { local: [INTERNET.malware.v4] }, ui: { port: 80 }, upstream: { host: INTERNET.collector.v4, port: 514 },
    router: { dnsServers: [INTERNET.feeds.v4], dnsRebindAllowed: ['example'] }, feeds: { shipped: false },
  });
  const ether = (name: string): unknown => ({ name, linkType: 'ether' });
  const facts = { links: [ether('eth0'), ether('eth1')], addrs: [
    { ifname: 'eth0', family: 4, local: topo.boxWan.v4, prefixLen: topo.wanLink.prefixLen4, scope: 'global' },
    { ifname: 'eth1', family: 4, local: topo.boxLan.v4, prefixLen: 24, scope: 'global' }], defaultGateways: [topo.wanLink.v4], neighbours: [], fdb: [] } as unknown as NetworkFacts;
  const plan = planNetwork(config, facts);
  const policy = buildPolicy({ config, provisioning: null, base, plan, quarantine: [], extraGroups: [manualGroup([], Date.now())] });
  const ports = [...new Set([plan.ifaces.wan, ...plan.ifaces.lan])].sort();
  return { shipped: renderRuleset(policy), withFt: renderRuleset({ ...policy, flowtable: ports }), ports };
}

/** The same document with the flowtable's flags removed: what nft 1.0.6's JSON reader sends. */
function withoutFlowtableFlags(doc: NftDocument): NftDocument {
  return { nftables: doc.nftables.map((c) => {
    const ft = 'add' in c ? (c.add as { flowtable?: Record<string, unknown> }).flowtable : undefined;
    if (!ft) return c;
    const { flags: _flags, ...rest } = ft;
    return { add: { flowtable: rest } } as unknown as typeof c;
  }) };
}

/** Writes the guest's files into `dir`/flowvm and returns an uncompressed cpio of them. */
function guestArchive(dir: string, docs: ReturnType<typeof routerDocs>): string {
  const g = join(dir, 'flowvm');
  mkdirSync(join(g, 'rulesets'), { recursive: true });
  writeFileSync(join(g, 'init'), readFileSync(here('./flowtableVm.guest.sh')), { mode: 0o755 });
  writeFileSync(join(g, 'params'), `ROUNDS=${ROUNDS}\nBLAST_SECONDS=${SECONDS}\nTCP_BYTES=${TCP_BYTES}\nSCENARIOS='${SCENARIOS.join(' ')}'\n`);
  writeFileSync(join(g, 'dests'), `${DESTS.join(' ')}\n`);
  // static: the guest's libc is trixie's, the compiler's is this host's
  execFileSync('cc', ['-O2', '-static', '-o', join(g, 'udpBlast'), here('./udpBlast.c')]);
  for (const [name, text] of Object.entries(TEXT)) writeFileSync(join(g, 'rulesets', `${name}.nft`), text);
  writeFileSync(join(g, 'rulesets', 'shipped.json'), JSON.stringify(docs.shipped));
  writeFileSync(join(g, 'rulesets', 'shipped+ft.json'), JSON.stringify(docs.withFt));
  writeFileSync(join(g, 'rulesets', 'shipped+ft-noflags.json'), JSON.stringify(withoutFlowtableFlags(docs.withFt)));
  // utmd's way: the JSON document, then the native update that sets the counter flag
  writeFileSync(join(g, 'rulesets', 'shipped+ftc.json'), JSON.stringify(docs.withFt));
  writeFileSync(join(g, 'rulesets', 'shipped+ftc.post.nft'), flowtableCounterText('utm', FLOWTABLE, docs.ports));
  writeFileSync(join(g, 'rulesets', 'probe.json'), JSON.stringify(flowtableProbeDoc('utm', docs.ports)));
  writeFileSync(join(g, 'rulesets', 'probe.nft'), flowtableProbeText('utm', docs.ports));
  const list = execFileSync('find', ['flowvm'], { cwd: dir, encoding: 'utf8' });
  const out = join(dir, 'guest.cpio');
  execFileSync('cpio', ['-o', '-H', 'newc', '--quiet', '-O', out], { cwd: dir, input: list });
  return out;
}

/** CPU time (ns) QEMU's threads have run on the host so far (the vCPU thread is most of it). */
function qemuCpuNs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read: its time is gone with it
    }
  }
  return ns;
}

/** Boots the VM; resolves with the result lines once it powers off, each `R mark` line with
 *  QEMU's CPU time when the host saw it (polled every 20 ms). Kills QEMU on timeout. */
async function boot(initrd: string, work: string): Promise<string[]> {
  const results = join(work, 'results.log');
  const console_ = join(work, 'console.log');
  const qemu = spawn('qemu-system-x86_64', [
    '-nodefaults', '-display', 'none', '-no-reboot', '-accel', ACCEL, ...(ACCEL === 'tcg' ? ['-cpu', 'max'] : ['-cpu', 'host']),
    '-smp', '1', '-m', '1536', '-kernel', join(CACHE, 'vmlinuz'), '-initrd', initrd,
    '-append', 'console=ttyS0 rdinit=/flowvm/init panic=-1 quiet loglevel=4',
    '-serial', `file:${console_}`, '-serial', `file:${results}`,
  ], { stdio: ['ignore', 'inherit', 'inherit'] });
  const lines: string[] = [];
  let offset = 0;
  const collect = (): void => {
    if (!existsSync(results) || qemu.pid === undefined) return;
    const text = readFileSync(results, 'utf8');
    const end = text.lastIndexOf('\n') + 1;
    if (end <= offset) return;
    const cpu = qemuCpuNs(qemu.pid);
    for (const l of text.slice(offset, end).split('\n')) {
      if (l.startsWith('R mark ')) lines.push(`R mark ${JSON.stringify({ ...JSON.parse(l.slice(7)) as object, cpuNs: cpu })}`);
      else if (l.startsWith('R ')) lines.push(l);
    }
    offset = end;
  };
  const marks = setInterval(() => { try { collect(); } catch { /* QEMU just exited: the last read follows */ } }, 20);
  let printed = 0;
  const progress = setInterval(() => {
    if (!existsSync(console_)) return;
    const lines = readFileSync(console_, 'utf8').split('\n').filter((l) => l.startsWith('flowvm:'));
    for (const l of lines.slice(printed)) console.log(`  ${new Date().toISOString().slice(11, 19)} ${l}`);
    printed = lines.length;
  }, 5000);
  const timer = setTimeout(() => qemu.kill('SIGKILL'), TIMEOUT_S * 1000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => { qemu.on('exit', resolve); qemu.on('error', reject); });
    if (code !== 0) throw new Error(`qemu exited ${String(code)}; console: ${readFileSync(console_, 'utf8').slice(-2000)}`);
  } finally {
    clearInterval(marks);
    clearInterval(progress);
    clearTimeout(timer);
    if (qemu.exitCode === null && qemu.signalCode === null) qemu.kill('SIGKILL');
  }
  const rest = readFileSync(results, 'utf8').slice(offset).split('\n').filter((l) => l.startsWith('R '));
  if (rest.some((l) => l.startsWith('R mark '))) throw new Error('marks read after QEMU ended: no CPU time for them');
  lines.push(...rest);
  if (!lines.some((l) => l.startsWith('R done'))) throw new Error(`the VM stopped early; console: ${readFileSync(console_, 'utf8').slice(-3000)}`);
  return lines;
}

interface Sample { n: number; round: number; scenario: string; delivered: number; udp: { sent: number; seconds: number } | null; offloaded: number;
  tcp: { sum_received?: { bytes: number; seconds: number } };
  /** QEMU's host CPU time per delivered packet / per KiB of TCP (from the marks). */
  cpuPerPacket: number; cpuPerKiB: number }
const med = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };
const pps = (s: Sample): number => (s.udp ? s.delivered / s.udp.seconds : NaN);
const tcpBytes = (s: Pick<Sample, 'tcp'>): number => s.tcp.sum_received?.bytes ?? NaN;
const mbit = (s: Sample): number => (tcpBytes(s) * 8) / (s.tcp.sum_received?.seconds ?? NaN) / 1e6;
const range = (xs: number[]): string => `${med(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;

/** The samples with QEMU's CPU time per packet and per KiB between their marks. */
function withCpu(raw: Omit<Sample, 'cpuPerPacket' | 'cpuPerKiB'>[], marks: { n: number; edge: string; cpuNs: number }[]): Sample[] {
  const at = (n: number, edge: string): number => marks.find((m) => m.n === n && m.edge === edge)?.cpuNs ?? NaN;
  return raw.map((s) => ({ ...s,
    cpuPerPacket: (at(s.n, 'udp1') - at(s.n, 'udp0')) / s.delivered,
    cpuPerKiB: (at(s.n, 'tcp1') - at(s.n, 'tcp0')) / (tcpBytes(s) / 1024) }));
}

function report(lines: string[], docs: ReturnType<typeof routerDocs>, started: Date, load0: number[], seconds: number): void {
  const of = (kind: string): unknown[] => lines.filter((l) => l.startsWith(`R ${kind} `)).map((l) => JSON.parse(l.slice(kind.length + 3)) as unknown);
  const env = of('env')[0] as Record<string, unknown>;
  const samples = withCpu(of('sample') as Sample[], of('mark') as { n: number; edge: string; cpuNs: number }[]);
  console.log(`\n## flowtable in the box's kernel, ${started.toISOString().slice(0, 16)}Z, ${ROUNDS} rounds, UDP ${SECONDS} s and TCP ${TCP_BYTES} per measurement, ACCEL=${ACCEL}, ` +
    `load ${load0.map((x) => x.toFixed(1)).join(' ')} → ${loadavg().map((x) => x.toFixed(1)).join(' ')}, run ${Math.round(seconds)} s`);
  console.log(`VM: kernel ${String(env['kernel'])}, ${String(env['nft'])}, ${String(env['conntrack'])}, ${String(env['iperf3'])}, ${String(env['cpus'])} vCPU, modules loaded: ${String(env['modules'])}`);
  console.log(`packages: ${readFileSync(join(CACHE, 'versions'), 'utf8').trim().split('\n').join('; ')}`);
  for (const s of of('skipped')) console.log(`not loaded: ${JSON.stringify(s)}`);
  // paired ratios: each scenario against the floors just before and after it in its round;
  // rates as this/floor, CPU costs as floor/this (both: above 1 is faster than the floor)
  type Pair = { udp: number[]; tcp: number[]; cpu: number[]; cpuTcp: number[] };
  const ratios: Record<string, Pair> = {};
  for (let i = 1; i + 1 < samples.length; i++) {
    const s = samples[i]!; const a = samples[i - 1]!; const b = samples[i + 1]!;
    if (s.scenario === 'floor' || a.scenario !== 'floor' || b.scenario !== 'floor') continue;
    const r = (ratios[s.scenario] ??= { udp: [], tcp: [], cpu: [], cpuTcp: [] });
    const mean = (k: (x: Sample) => number): number => (k(a) + k(b)) / 2;
    r.udp.push(pps(s) / mean(pps));
    r.tcp.push(mbit(s) / mean(mbit));
    r.cpu.push(mean((x) => x.cpuPerPacket) / s.cpuPerPacket);
    r.cpuTcp.push(mean((x) => x.cpuPerKiB) / s.cpuPerKiB);
  }
  console.log('\n| scenario | 64 B UDP: QEMU CPU per packet | floor/this, paired | delivered (median) | this/floor, paired | flows offloaded | TCP: QEMU CPU per KiB | floor/this, paired | delivered (median) | this/floor, paired |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const name of ['floor', ...SCENARIOS]) {
    const ss = samples.filter((s) => s.scenario === name);
    if (!ss.length) continue;
    const r = ratios[name];
    const q = (k: keyof Pair): string => (r ? range(r[k]) : '1.00');
    console.log(`| ${name} | ${Math.round(med(ss.map((s) => s.cpuPerPacket))).toLocaleString('en-US')} ns | ${q('cpu')} | ${Math.round(med(ss.map(pps))).toLocaleString('en-US')} pps | ${q('udp')} | ` +
      `${med(ss.map((s) => s.offloaded))} of 256 | ${Math.round(med(ss.map((s) => s.cpuPerKiB))).toLocaleString('en-US')} ns | ${q('cpuTcp')} | ${med(ss.map(mbit)).toFixed(0)} Mbit/s | ${q('tcp')} |`);
  }
  const sh = ratios['shipped']; const ft = ratios['shipped+ft'];
  const ftc = ratios['shipped+ftc'];
  for (const [name, x] of [['shipped+ft', ft], ['shipped+ftc', ftc]] as const) {
    if (sh && x) console.log(`${name} against shipped (medians of the paired ratios): CPU per packet ${(med(x.cpu) / med(sh.cpu)).toFixed(2)}, per KiB ${(med(x.cpuTcp) / med(sh.cpuTcp)).toFixed(2)}; rates ${(med(x.udp) / med(sh.udp)).toFixed(2)} / ${(med(x.tcp) / med(sh.tcp)).toFixed(2)}`);
  }

  const probe = of('probe')[0] as { native: { code: number; out: string }; code: number; stdout: string; stderr: string; tables: string };
  const native = readFlowtableProbe(probe.native.code, probe.native.out, probe.native.out);
  console.log(`\nflowtable probe as utmd asks it (flowtableProbeText, \`nft -c --debug=netlink\`, read by readFlowtableProbe): ${native.available ? 'AVAILABLE' : 'NOT available'}: ${native.reason}`);
  console.log(`  nft exit ${probe.native.code}; flowtable line: ${/^flow table .*$/m.exec(probe.native.out)?.[0] ?? '(none)'}`);
  const verdict = readFlowtableProbe(probe.code, probe.stdout, probe.stderr);
  console.log(`the same probe in JSON (flowtableProbeDoc, \`nft -c -j --debug=netlink\`): ${verdict.available ? 'AVAILABLE' : 'NOT available'}: ${verdict.reason}`);
  console.log(`  nft exit ${probe.code}; flowtable line: ${/^flow table .*$/m.exec(probe.stdout)?.[0] ?? '(none)'}; ${probe.stderr.trim().split('\n')[0] ?? ''}; tables after both probes: ${probe.tables.trim() || '(none)'}`);

  const ap = of('apply')[0] as { check: number; checkErr: string; apply: number; applyErr: string; reapply: number; reapplyErr: string; readBack: string; flowtables: string };
  let problems: string[];
  try { problems = verifyReadBack(docs.withFt, JSON.parse(ap.readBack) as { nftables: unknown[] }, 'utm'); } catch (e) { problems = [`read back is not JSON: ${String(e)}: ${ap.readBack.slice(0, 300)}`]; }
  console.log(`\nutmd's apply path with the flowtable: nft -c -j ${ap.check}${ap.checkErr ? ` (${ap.checkErr.trim()})` : ''}, nft -j -f ${ap.apply}${ap.applyErr ? ` (${ap.applyErr.trim()})` : ''}, ` +
    `again over itself ${ap.reapply}${ap.reapplyErr ? ` (${ap.reapplyErr.trim()})` : ''}; read back verified: ${problems.length ? problems.join('; ') : 'yes'}`);
  console.log(`  kernel's flowtable: ${ap.flowtables.replace(/\s+/g, ' ').trim()}`);

  console.log('\nconntrack accounting of offloaded flows (256 UDP flows, one opening ping each, then a 1 s flood; conntrack\'s original-direction packets against packets sent):');
  for (const a of of('account') as { scenario: string; loaded: boolean; delivered: number; ctOrigPackets: number; offloaded: number; flows: number; sample: string; flowtable: string; flowtableJson: string }[]) {
    if (!a.loaded) { console.log(`  ${a.scenario}: not loaded`); continue; }
    const sent = a.delivered + a.flows;
    console.log(`  ${a.scenario}: ${a.offloaded} of ${a.flows} flows [OFFLOAD]; ${sent} packets (${a.delivered} flood + ${a.flows} pings), conntrack counted ${a.ctOrigPackets} (${(a.ctOrigPackets / sent).toFixed(3)}); ` +
      `flowtable: ${a.flowtable.replace(/\s+/g, ' ').trim() || '(none)'}; JSON listing: ${/"flags": *\[[^\]]*\]/.exec(a.flowtableJson)?.[0] ?? 'no flags'}`);
    if (a.sample) console.log(`    e.g. ${a.sample.trim()}`);
  }
  const cut = of('cut')[0] as { offloadedWhenListed: number; deliveredPastTheRule2s: number; conntrackD: number; deliveredInTheSecondAfter: number; deliveredThe2sAfter: number; droppedByTheRule: number };
  console.log(`\none offloaded flow (${cut.offloadedWhenListed} [OFFLOAD]) and a drop rule for its peer inserted above the fast path: ${cut.deliveredPastTheRule2s} packets delivered in 2 s past the rule; ` +
    `conntrack -D (exit ${cut.conntrackD}): ${cut.deliveredInTheSecondAfter} delivered in the second after, ${cut.deliveredThe2sAfter} in the 2 s after that; the drop rule counted ${cut.droppedByTheRule}`);
  const br = of('bridge')[0] as Record<string, { code: number; out: string; flows?: number; offloaded?: number; delivered?: number; ctOrigPackets?: number }>;
  console.log('\nbridged traffic:');
  for (const [k, v] of Object.entries(br)) {
    console.log(`  ${k}: exit ${v.code} ${v.out.trim().replace(/\n/g, ' | ') || '(accepted)'}` +
      (v.flows !== undefined ? `; ${String(v.offloaded)} of ${String(v.flows)} bridged UDP flows [OFFLOAD]; ${String(v.delivered)} flood packets delivered, conntrack counted ${String(v.ctOrigPackets)} (flowtable without counter: a flow it forwards stops counting)` : ''));
  }
}

async function main(): Promise<void> {
  const started = new Date();
  const load0 = loadavg();
  const t0 = performance.now();
  execFileSync(here('./flowtableVm.build.sh'), [CACHE], { stdio: 'inherit' });
  const work = mkdtempSync(join(tmpdir(), 'utm-flowvm-'));
  try {
    const docs = routerDocs();
    const guest = guestArchive(work, docs);
    // the guest's files first (uncompressed), then the cached root filesystem (zstd): the
    // kernel unpacks concatenated archives in turn, as it does microcode before an initrd
    const initrd = join(work, 'initrd');
    const fd = openSync(initrd, 'w');
    try {
      writeSync(fd, readFileSync(guest));
      writeSync(fd, readFileSync(join(CACHE, 'rootfs.cpio.zst')));
    } finally {
      closeSync(fd);
    }
    console.log(`booting ${join(CACHE, 'vmlinuz')} (${ACCEL}), ${ROUNDS} rounds × ${SCENARIOS.length * 2 + 1} measurements`);
    const lines = await boot(initrd, work);
    if (process.env['FLOWVM_RAW']) writeFileSync(process.env['FLOWVM_RAW'], `${lines.join('\n')}\n`);
    report(lines, docs, started, load0, (performance.now() - t0) / 1000);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
