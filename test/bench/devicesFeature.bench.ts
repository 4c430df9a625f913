// Benchmark of the devices feature as utmd runs it (not only the pure core, see devices.ts):
// pcap bytes → DhcpCapture → inventory → batched SQLite writes (a real file, WAL), at 1,000
// devices, then a burst of 100 DHCP packets per second; plus the kernel side: reading the
// (MAC, IPv4) dynamic set with `nft -j list set` at 1,000 elements, in a scratch namespace.
// Ratios are against a baseline measured in the same run (JSON.parse of a ulogd2-sized
// datagram; `nft -j list tables` for the kernel reads).
// Run: npx tsx test/bench/devicesFeature.bench.ts (add --expose-gc via node for exact heap figures)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { openDb } from '../../firmware/src/store/db.js';
import { everyMigration } from '../helpers/schema.js';
import { Conditions } from '../../firmware/src/app/conditions.js';
import type { FeatureContext } from '../../firmware/src/feature/contract.js';
import { DevicesRepo } from '../../firmware/src/devices/repo.js';
import { DryRunBackend } from '../../firmware/src/nft/dryRun.js';
import { DevicesFeature } from '../../firmware/src/devices/feature.js';
import { DhcpCapture } from '../../firmware/src/devices/capture.js';
import { createOuiLookup } from '../../firmware/src/devices/mac.js';
import { packageRoot } from '../../firmware/src/sys/paths.js';
import { systemBin } from '../../firmware/src/sys/bin.js';
import { clientRequest, ethIpv4Udp, pcapStream } from '../unit/devices/dhcpBuilder.js';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const PRLS = [[1, 121, 3, 6, 15, 108, 114, 119, 252], [1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 114, 108], [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252], [1, 15, 3, 6, 44, 46, 47, 31, 33, 249, 43]];
const mac = (i: number) => `${i % 2 ? '5a' : '00'}:14:22:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
const frame = (i: number, at: number) => ({ at, data: ethIpv4Udp(clientRequest({ mac: mac(i), prl: PRLS[i % PRLS.length]!, hostname: `host-${i}`, vendorClass: i % 3 === 0 ? 'MSFT 5.0' : undefined }), { src: mac(i) }) });

const datagram = JSON.stringify({ 'oob.prefix': 'utm-drop', src_ip: '192.0.2.10', dest_ip: '203.0.113.5', 'ip.protocol': 6, src_port: 51234, dest_port: 443, 'oob.in': 'br0', 'mac.saddr.str': '00:11:22:33:44:55' });
const t0b = performance.now();
for (let i = 0; i < 200_000; i++) JSON.parse(datagram);
const baseUs = ((performance.now() - t0b) * 1000) / 200_000;
console.log(`baseline: JSON.parse ulogd2-sized datagram      ${baseUs.toFixed(2)} µs`);

const dir = mkdtempSync(join(tmpdir(), 'utm-bench-'));
const db = openDb(join(dir, 'utm.db'), everyMigration);
const clock = { t: 1_764_100_000_000 };
let findings = 0;
const ctx = {
  stateDir: dir, config: {} as FeatureContext['config'], base: { tableName: 'utm' } as FeatureContext['base'],
  provisioning: { learningDays: 0, autoQuarantineNewDevices: false } as FeatureContext['provisioning'],
  log: { info: () => {}, warn: () => {}, error: (m: string, e?: unknown) => console.error(m, e) }, now: () => clock.t, repos: new DevicesRepo(db),
  ruleset: new DryRunBackend(), conditions: new Conditions(() => clock.t), deviceId: 'bench',
  plan: () => null, raise: () => { findings++; }, requestApply: async () => true,
} satisfies FeatureContext<DevicesRepo>;
const oui = createOuiLookup();
oui.vendorOf('00:14:22:00:00:01'); // load the registry before measuring (≈5.6 MB JSON, once)
gc();
const mem0 = process.memoryUsage();
const f = new DevicesFeature({ root: packageRoot(), oui });
f.init(ctx);
const cap = new DhcpCapture({ ifaces: ['br0'], now: ctx.now, vendorOf: (m) => oui.vendorOf(m), onObservation: (o) => f.ingest(o), onHealth: () => {} });

// 1,000 devices join (one DISCOVER each), stored in batches as the 1 s flush timer would.
const joins = pcapStream(Array.from({ length: 1000 }, (_, i) => frame(i, clock.t + i)));
const c0 = process.cpuUsage(); const w0 = performance.now();
for (let off = 0; off < joins.length; off += 4096) cap.push('br0', joins.subarray(off, off + 4096), 1);
f.flush();
const joinMs = performance.now() - w0; const joinCpu = process.cpuUsage(c0);
gc();
const mem1 = process.memoryUsage();
console.log(`1,000 devices joining: ${joinMs.toFixed(0)} ms wall, ${((joinCpu.user + joinCpu.system) / 1000).toFixed(0)} ms CPU, ${((joinMs * 1000) / 1000 / baseUs).toFixed(0)}× baseline per device; findings ${findings}`);
console.log(`inventory memory at 1,000 devices: heapUsed +${((mem1.heapUsed - mem0.heapUsed) / 2 ** 20).toFixed(1)} MiB, RSS ${(mem1.rss / 2 ** 20).toFixed(0)} MiB total`);

// Burst: 100 DHCP packets per second for 30 s (renewals of known devices and 10% new ones),
// one pcap chunk per 100 ms as tcpdump -U delivers them, a flush every second.
const cpuBurst0 = process.cpuUsage(); const wb = performance.now();
let next = 1000; let worstSecondMs = 0;
for (let s = 0; s < 30; s++) {
  const ws = performance.now();
  for (let tenth = 0; tenth < 10; tenth++) {
    clock.t += 100;
    const fr = Array.from({ length: 10 }, (_, k) => frame(k === 0 ? next++ : (s * 100 + tenth * 10 + k) % 1000, clock.t));
    const bytes = pcapStream(fr).subarray(24); // continuation of the same stream: no global header
    cap.push('br0', bytes, 1);
  }
  f.flush();
  worstSecondMs = Math.max(worstSecondMs, performance.now() - ws);
}
const burstCpu = process.cpuUsage(cpuBurst0); const burstMs = performance.now() - wb;
gc();
const mem2 = process.memoryUsage();
const cpuPct = ((burstCpu.user + burstCpu.system) / 1000 / 30_000) * 100;
console.log(`burst 100 pkt/s × 30 s (3,000 packets, ${next - 1000} new devices): ${burstMs.toFixed(0)} ms busy in total → ${cpuPct.toFixed(2)}% of one core; worst second ${worstSecondMs.toFixed(1)} ms; per packet ${((burstMs * 1000) / 3000).toFixed(1)} µs = ${((burstMs * 1000) / 3000 / baseUs).toFixed(0)}× baseline`);
console.log(`after the burst: ${f.list().devices.length} devices, heapUsed +${((mem2.heapUsed - mem0.heapUsed) / 2 ** 20).toFixed(1)} MiB; capture counters ${JSON.stringify(cap.status().dropped)} frames ${cap.status().frames}`);
db.close();
rmSync(dir, { recursive: true, force: true });

// Kernel side: reading the dynamic set at 1,000 elements (needs root; scratch namespace).
const ns = `utm-bench-${process.pid}`;
const nft = systemBin('nft'); const ip = systemBin('ip');
try {
  execFileSync(ip, ['netns', 'add', ns]);
  const elems = Array.from({ length: 1000 }, (_, i) => ({ concat: [mac(i), `10.${(i >> 8) & 255}.${i & 255}.${1 + (i % 250)}`] }));
  const doc = { nftables: [{ add: { table: { family: 'bridge', name: 'utm' } } },
    { add: { set: { family: 'bridge', table: 'utm', name: 'lan_seen', type: ['ether_addr', 'ipv4_addr'], flags: ['timeout'], timeout: 3600, size: 65536 } } },
    { add: { element: { family: 'bridge', table: 'utm', name: 'lan_seen', elem: elems } } }] };
  const file = join(tmpdir(), `utm-bench-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(doc));
  execFileSync(ip, ['netns', 'exec', ns, nft, '-j', '-f', file]);
  rmSync(file);
  const timeIt = (argv: string[], n: number): number => {
    const t = performance.now();
    for (let i = 0; i < n; i++) execFileSync(ip, ['netns', 'exec', ns, nft, ...argv], { maxBuffer: 64 * 2 ** 20 });
    return (performance.now() - t) / n;
  };
  const base = timeIt(['-j', 'list', 'tables'], 20);
  const read = timeIt(['-j', 'list', 'set', 'bridge', 'utm', 'lan_seen'], 20);
  console.log(`nft -j list set at 1,000 elements: ${read.toFixed(1)} ms (baseline nft -j list tables ${base.toFixed(1)} ms; ${(read / base).toFixed(2)}×); every 60 s → ${((read / 60_000) * 100).toFixed(3)}% of wall time`);
} finally {
  execFileSync(ip, ['netns', 'del', ns]);
}
