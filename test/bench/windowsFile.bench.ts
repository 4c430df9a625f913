// Benchmark of the detector windows file (traffic/windows.ts, issue 15) at the traffic bench's
// scale: 5,000 devices × 50,000 destinations (or `--devices 50`: a real office's generated day). The state is built by the detectors themselves:
// `--history-days` days of one hourly upload per device (so every upload baseline is full, as after
// two weeks of running), then a generated office day (test/bench/officeDay.ts, as the memory part of
// detectors.bench.ts runs it). Then, at the end of the day, it times what the daemon does every
// 10 minutes in its event loop, snapshot() and JSON.stringify, as CPU time (medians of `--runs`),
// with the parts the file held before the new parts (beacon, routine, popularity) stringified alone
// as the baseline in the same run; then the save to disk as it was (one part per turn of the event
// loop) against saveWindows in slices, alternately in the same run, as the longest synchronous block
// of each (CPU and wall) and the longest loop turn a ticker sees; and once what a start does
// (JSON.parse, zod check, restore, each one block).
// Run: npx tsx test/bench/windowsFile.bench.ts [--devices 5000] [--minutes 1440] [--history-days 13] [--runs 5]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DetectorSet, WindowSnapshotSchema } from '../../firmware/src/detectors/index.js';
import { writeAtomic } from '../../firmware/src/sys/files.js';
import { saveWindows, WINDOWS_FILE } from '../../firmware/src/traffic/windows.js';
import { parseThresholds } from '../../firmware/src/detectors/thresholds.js';
import type { FlowRecord } from '../../firmware/src/flows/parse.js';
import { parseFlow } from '../../firmware/src/flows/parse.js';
import { makeIsLan } from '../../firmware/src/net/cidrSet.js';
import { packageRoot } from '../../firmware/src/sys/paths.js';
import { deviceIp, LAN_PREFIX, OfficeDay } from './officeDay.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
const thresholds = parseThresholds(JSON.parse(readFileSync(join(packageRoot(), 'rules/thresholds.json'), 'utf8')));
const isLan = makeIsLan([LAN_PREFIX]);
const H = 3_600_000;
const DEVICES = arg('--devices', 5000);

/** CPU time of all threads (GC helpers included) and wall time (what blocks the event loop), in ms. */
const cpuMs = <T>(fn: () => T): [T, number, number] => {
  const c0 = process.cpuUsage(), w0 = process.hrtime.bigint();
  const v = fn();
  const w = Number(process.hrtime.bigint() - w0) / 1e6;
  const c = process.cpuUsage(c0);
  return [v, (c.user + c.system) / 1000, w];
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
const mb = (n: number): string => (n / 1048576).toFixed(1);

// 5,000 devices as the memory part of detectors.bench.ts runs them; fewer as a real office (its default day).
const day = new OfficeDay(DEVICES >= 1000 ? { devices: DEVICES, destinations: 50_000, activeRate: 0.5, idleRate: 0.02, seed: 7 } : { devices: DEVICES });
const set = new DetectorSet({ thresholds, listed: () => undefined });
const historyDays = arg('--history-days', 13);
let seed = 1;
const rnd = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const [, tHistory] = cpuMs(() => {
  for (let h = historyDays * 24; h > 0; h--) {
    const hourStart = day.o.day0 - h * H;
    for (let d = 0; d < DEVICES; d++) {
      const start = hourStart + Math.floor((d / DEVICES) * 50 * 60_000);
      const f: FlowRecord = {
        event: 'end', ctId: undefined, family: 4, proto: 'tcp', protoNum: 6, direction: 'outbound', deviceIp: deviceIp(d), deviceMac: undefined,
        devicePort: 50000, remoteIp: '192.0.2.80', remotePort: 443, bytesOut: Math.round(1e5 + rnd() * 3e7), bytesIn: 2e5, pktsOut: 10, pktsIn: 10, start, end: start + 1000,
      };
      set.onFlow(f);
    }
    set.evict(hourStart + H);
  }
});
const minutes = arg('--minutes', 1440);
const [records, tDay] = cpuMs(() => {
  let n = 0;
  for (let m = 0; m < minutes; m++) {
    for (const o of day.minute(m)) {
      const r = parseFlow(JSON.parse(JSON.stringify(o)), isLan);
      if (r.ok) set.onFlow(r.flow);
      n++;
    }
    day.takeDns();
    set.evict(day.o.day0 + (m + 1) * 60_000);
  }
  return n;
});
const now = day.o.day0 + minutes * 60_000;
console.log(`state built: ${historyDays} days × ${DEVICES} hourly uploads (${(tHistory / 1000).toFixed(0)} s CPU), office day of ${minutes} minutes, ${records} records (${(tDay / 1000).toFixed(0)} s CPU); entries ${JSON.stringify(set.sizes())}`);

const runs = arg('--runs', 5);
const snap: number[] = [], str: number[] = [], old: number[] = [], wall: number[] = [];
let text = '', oldLength = 0, parts: Record<string, number> = {};
for (let i = 0; i < runs; i++) {
  const [s, ts, ws] = cpuMs(() => set.snapshot(now));
  const [t, tt, wt] = cpuMs(() => JSON.stringify(s));
  wall.push(ws + wt);
  const [o, to] = cpuMs(() => JSON.stringify({ version: s.version, beacon: { observedSince: s.beacon.observedSince, pairs: s.beacon.pairs }, routine: s.routine, popularity: s.popularity }));
  snap.push(ts); str.push(tt); old.push(to);
  text = t; oldLength = o.length;
  parts = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, JSON.stringify(v).length]));
  const b = s.beacon;
  parts['beacon.channels+told'] = JSON.stringify([b.channels, b.told]).length;
}
// What a save blocks the event loop for, as the longest turn of the loop during it (a ticker that
// reschedules itself with setImmediate sees every turn): the save before this change (each part
// snapshot and stringified in one block, one part per turn, the text written at the end) against
// saveWindows now (slices of ~10 ms, each written as it is made), alternately, in the same run.
const perPart: Record<string, number[]> = {};
for (let i = 0; i < runs; i++) {
  for (const [k, part] of Object.entries(set.snapshotParts(now))) (perPart[k] ??= []).push(cpuMs(() => JSON.stringify(part()))[2]);
}
const partWall = Object.fromEntries(Object.entries(perPart).map(([k, v]) => [k, Math.round(median(v))]));
console.log(`before: wall ms per part (snapshot + stringify in one block), medians: ${JSON.stringify(partWall)}; longest ${Math.max(...Object.values(partWall))} ms`);
const dir = mkdtempSync(join(tmpdir(), 'utm-windows-bench-'));
/** One synchronous stretch of a save: wall ms (what the event loop waits, inflated by the load)
 *  and CPU ms of the process (GC helper threads included; what the load does not inflate). */
type Block = { wall: number; cpu: number };
/** The save as it was before slicing (traffic/windows.ts at eea3143): one part per turn. */
const saveByParts = async (file: string, blocks: Block[]): Promise<void> => {
  const pieces: string[] = [];
  for (const [k, part] of Object.entries(set.snapshotParts(now))) {
    const [piece, cpu, wall] = cpuMs(() => `${JSON.stringify(k)}:${JSON.stringify(part())}`);
    pieces.push(piece);
    blocks.push({ wall, cpu });
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await writeAtomic(file, `{${pieces.join(',')}}`);
};
/** The longest turn of the event loop while `run` runs, in wall ms (what a datagram waits, inflated
 *  by the load) and CPU ms of the process (GC helper threads included; what the load does not
 *  inflate), seen by a ticker that reschedules itself with setImmediate and so runs once a turn;
 *  and the longest block `run` reports itself (the parts of the save before slicing). */
type Run = { turnWall: number; turnCpu: number; turns: number; wall: number; cpu: number; blockWall: number; blockCpu: number };
const cpuNow = (): number => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
const measure = async (run: (blocks: Block[]) => Promise<void>): Promise<Run> => {
  let lastW = performance.now(), lastC = cpuNow(), turnWall = 0, turnCpu = 0, turns = 0, on = true;
  const tick = (): void => {
    const w = performance.now(), c = cpuNow();
    turnWall = Math.max(turnWall, w - lastW); turnCpu = Math.max(turnCpu, c - lastC);
    lastW = w; lastC = c; turns++;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  const blocks: Block[] = [];
  const c0 = cpuNow(), w0 = performance.now();
  await run(blocks);
  const wall = performance.now() - w0, cpu = cpuNow() - c0;
  on = false;
  return { turnWall, turnCpu, turns, wall, cpu, blockWall: Math.max(0, ...blocks.map((b) => b.wall)), blockCpu: Math.max(0, ...blocks.map((b) => b.cpu)) };
};
const before: Run[] = [], after: Run[] = [];
for (let i = 0; i < runs; i++) {
  before.push(await measure((b) => saveByParts(join(dir, 'before.json'), b)));
  after.push(await measure(() => saveWindows(dir, set, now)));
}
const sameText = readFileSync(join(dir, 'before.json'), 'utf8') === readFileSync(join(dir, WINDOWS_FILE), 'utf8');
rmSync(dir, { recursive: true, force: true });
const med = (xs: Run[], k: keyof Run): number => median(xs.map((x) => x[k]));
const show = (xs: Run[]): string => `longest loop turn ${med(xs, 'turnCpu').toFixed(0)} ms CPU / ${med(xs, 'turnWall').toFixed(0)} ms wall (max of ${runs}: ${Math.max(...xs.map((x) => x.turnCpu)).toFixed(0)} / ${Math.max(...xs.map((x) => x.turnWall)).toFixed(0)}), whole save ${med(xs, 'cpu').toFixed(0)} ms CPU (ticker included) / ${med(xs, 'wall').toFixed(0)} ms wall`;
console.log(`save to disk, medians of ${runs}, alternating. One part per turn (before): ${show(before)}; its longest part ${med(before, 'blockCpu').toFixed(0)} ms CPU / ${med(before, 'blockWall').toFixed(0)} ms wall. In slices (now): ${show(after)}. Ratio of longest turns, CPU ${(med(after, 'turnCpu') / med(before, 'turnCpu')).toFixed(3)}, wall ${(med(after, 'turnWall') / med(before, 'turnWall')).toFixed(3)}; the same text: ${sameText}`);
const [parsed, tParse, wParse] = cpuMs(() => JSON.parse(text) as unknown);
const [, tCheck, wCheck] = cpuMs(() => WindowSnapshotSchema.parse(parsed));
const [restored, tLoad, wLoad] = cpuMs(() => { const d = new DetectorSet({ thresholds, listed: () => undefined }); d.restore(parsed); return d; });
console.log(`file: ${mb(text.length)} MB (the parts the file held before: ${mb(oldLength)} MB); bytes per part ${JSON.stringify(parts)}`);
console.log(`save in the event loop, CPU ms, median of ${runs}: snapshot() ${median(snap).toFixed(0)} + JSON.stringify ${median(str).toFixed(0)} = ${(median(snap) + median(str)).toFixed(0)} ms; stringify of the older parts alone ${median(old).toFixed(0)} ms (ratio all/older ${(median(str) / median(old)).toFixed(2)}); wall (event loop blocked) ${median(wall).toFixed(0)} ms`);
console.log(`start, one block each (CPU/wall ms): JSON.parse ${tParse.toFixed(0)}/${wParse.toFixed(0)}, zod check ${tCheck.toFixed(0)}/${wCheck.toFixed(0)}, check + restore ${tLoad.toFixed(0)}/${wLoad.toFixed(0)}; entries after ${JSON.stringify(restored.sizes())}`);
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
