// Benchmark of the detection core: a generated office day through parseFlow + DetectorSet.
//  1. Throughput: records/s of JSON.parse + parseFlow + DetectorSet.onFlow, as a ratio of plain
//     JSON.parse of the same datagram strings, measured minute-chunk by minute-chunk in this run.
//  2. Quality: precision/recall on the four planted cases; false alerts per 50 devices per day.
//  3. Memory: 5,000 devices × 50,000 destinations in a fresh child process, compiled and under
//     utmd.service's node flags (test/bench/compiled.ts): peak RSS, and the heap still held
//     after a full GC with every detector's window state live.
// Run: npx tsx test/bench/detectors.bench.ts [--devices 50] [--minutes 1440] [--no-names] [--skip-rss]
// Receive (dgram), store and alert latency belong to the daemon; they go in the end-to-end bench.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../../firmware/src/alerts/types.js';
import { DetectorSet } from '../../firmware/src/detectors/index.js';
import { DnsNames } from '../../firmware/src/dns/sensor.js';
import { parseThresholds } from '../../firmware/src/detectors/thresholds.js';
import { makeIsLan } from '../../firmware/src/net/cidrSet.js';
import { parseFlow } from '../../firmware/src/flows/parse.js';
import { packageRoot } from '../../firmware/src/sys/paths.js';
import { benchNodeFlags, compileBench } from './compiled.js';
import { LAN_PREFIX, OfficeDay, RESOLVER, type OfficeDayOptions } from './officeDay.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
const thresholds = parseThresholds(JSON.parse(readFileSync(join(packageRoot(), 'rules/thresholds.json'), 'utf8')));
const isLan = makeIsLan([LAN_PREFIX]);

interface DayResult { records: number; bad: number; findings: Finding[]; tBase: number; tFull: number; peakRss: number; sizes: Record<string, number>; stateHeap: number }

function runDay(opts: Partial<OfficeDayOptions>, timed: boolean, names: boolean): DayResult {
  const day = new OfficeDay(opts);
  // The DNS name sensor's decision step and cache, fed the day's answers (not timed: the
  // receive path belongs to traffic.bench.ts); its clock is the replayed minute.
  let clock = 0;
  const dns = new DnsNames({ isLan, boxAddresses: () => [], trustedServers: [RESOLVER], cap: 50_000, now: () => clock });
  const set = new DetectorSet({ thresholds, listed: () => undefined, nameOf: names ? (ip) => dns.cache.nameOf(ip) : undefined });
  const findings: Finding[] = [];
  let records = 0, bad = 0, tBase = 0, tFull = 0, peakRss = process.memoryUsage().rss, sink = 0;
  const lastMinute = arg('--minutes', 1440);
  for (let m = 0; m < lastMinute; m++) {
    clock = day.o.day0 + (m + 1) * 60_000;
    const lines = day.minute(m).map((o) => JSON.stringify(o));
    // Answers are taken every minute either way (the generator queues them until taken).
    for (const a of day.takeDns()) if (names) dns.onAnswer(a.payload, a.clientIp, a.at);
    if (timed) {
      // Baseline: plain JSON.parse of exactly these datagrams.
      let t = process.hrtime.bigint();
      for (const l of lines) sink += (JSON.parse(l) as Record<string, unknown>)['ct.event'] === 4 ? 1 : 0;
      tBase += Number(process.hrtime.bigint() - t);
      t = process.hrtime.bigint();
      for (const l of lines) {
        const r = parseFlow(JSON.parse(l), isLan);
        if (!r.ok) { bad++; continue; }
        const f = set.onFlow(r.flow);
        if (f.length > 0) findings.push(...f);
      }
      tFull += Number(process.hrtime.bigint() - t);
    } else {
      for (const l of lines) {
        const r = parseFlow(JSON.parse(l), isLan);
        if (!r.ok) { bad++; continue; }
        const f = set.onFlow(r.flow);
        if (f.length > 0) findings.push(...f);
      }
    }
    records += lines.length;
    set.evict(day.o.day0 + (m + 1) * 60_000);
    if (m % 10 === 9) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  if (sink < 0) console.log(sink);
  const gc = (globalThis as { gc?: () => void }).gc;
  let stateHeap = NaN;
  if (gc) { gc(); stateHeap = process.memoryUsage().heapUsed; }
  return { records, bad, findings, tBase, tFull, peakRss, sizes: set.sizes(), stateHeap };
}

function quality(day: OfficeDay, findings: Finding[]) {
  const found = new Set(findings.map((f) => `${f.kind}|${f.device?.ip}`));
  const planted = new Set(day.planted.map((p) => `${p.kind}|${p.deviceIp}`));
  const tp = [...planted].filter((k) => found.has(k));
  const fp = [...found].filter((k) => !planted.has(k));
  return { tp, fp, missed: [...planted].filter((k) => !found.has(k)), precision: tp.length / Math.max(1, found.size), recall: tp.length / planted.size };
}

function rssRun(): void {
  const names = !args.includes('--no-names');
  const rss0 = process.memoryUsage().rss;
  const big = runDay({ devices: 5000, destinations: 50_000, activeRate: 0.5, idleRate: 0.02, seed: 7 }, false, names);
  console.log(`memory: 5,000 devices × 50,000 destinations, ${big.records} records: peak RSS ${(big.peakRss / 1048576).toFixed(0)} MB (fresh process before the day: ${(rss0 / 1048576).toFixed(0)} MB; target ≤ 200 MB); heap after GC with all window state live: ${(big.stateHeap / 1048576).toFixed(0)} MB`);
  console.log(`  state entries: ${JSON.stringify(big.sizes)}, findings ${big.findings.length}`);
}

if (args.includes('--rss-only')) {
  rssRun();
} else {
  const devices = arg('--devices', 50);
  console.log(`office day: ${devices} devices`);
  const day = new OfficeDay({ devices });
  // --no-names: no DNS sensor, so allowlist entries by name cannot match.
  const names = !args.includes('--no-names');
  console.log(`allowlist names: ${names ? "from the day's DNS answers through the name sensor" : 'unavailable'}`);
  const res = runDay({ devices }, true, names);
  const q = quality(day, res.findings);
  const baseRate = res.records / (res.tBase / 1e9), fullRate = res.records / (res.tFull / 1e9);
  console.log(`records ${res.records}, malformed ${res.bad}, findings ${res.findings.length}`);
  console.log(`baseline JSON.parse: ${Math.round(baseRate).toLocaleString()} rec/s`);
  console.log(`JSON.parse + parseFlow + DetectorSet: ${Math.round(fullRate).toLocaleString()} rec/s  → ratio ${(fullRate / baseRate).toFixed(2)} (target ≥ 0.50 end to end)`);
  console.log(`planted found ${q.tp.length}/${day.planted.length} (recall ${q.recall.toFixed(2)}), precision ${q.precision.toFixed(2)}`);
  if (q.missed.length) console.log(`  missed: ${q.missed.join(', ')}`);
  console.log(`false alerts: ${q.fp.length} → ${(q.fp.length * 50 / devices).toFixed(2)} per 50 devices per day (target ≤ 1)`);
  for (const f of res.findings.filter((x) => q.fp.includes(`${x.kind}|${x.device?.ip}`))) {
    console.log(`  false: ${f.kind} ${f.device?.ip} at ${new Date(f.at).toISOString()} ${JSON.stringify(f.params)} ${JSON.stringify(f.evidence).slice(0, 300)}`);
  }
  for (const f of res.findings.filter((x) => q.tp.includes(`${x.kind}|${x.device?.ip}`))) {
    console.log(`  hit ${f.kind} ${f.device?.ip} at ${new Date(f.at).toISOString()} ${JSON.stringify(f.params)}`);
  }

  if (!args.includes('--skip-rss')) {
    // A fresh process, so the 50-device day's heap does not count.
    const { flags, env, from } = benchNodeFlags();
    console.log(`memory pass: compiled (dist/), node ${flags.join(' ')}${Object.keys(env).length ? `, environment ${JSON.stringify(env)}` : ''} (from ${from})`);
    const child = spawnSync(process.execPath, [...flags, '--expose-gc', compileBench(import.meta.url), '--rss-only', ...(names ? [] : ['--no-names'])], { encoding: 'utf8', env: { ...process.env, ...env } });
    process.stdout.write(child.stdout);
    if (child.status !== 0) process.stderr.write(child.stderr);
  }
}
