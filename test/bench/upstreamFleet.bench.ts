// Benchmark: a fleet of simulated boxes (default 2,000: forwarder instances, each with its own
// outbox) against one real rsyslog over TLS (the reference collector config in the lab's wan).
// After the first messages are in, the collector is stopped for an outage during which every box
// queues more, then started again. Reported: peak connection attempts and successful connections
// per second after the restart (the reconnect storm, spread by the backoff's jitter), time from
// the restart until every box has drained, and whether every sequence number of every box
// arrived (duplicates counted). Usage: npx tsx test/bench/upstreamFleet.bench.ts
//   [--boxes 2000] [--workers 4] [--outage-s 10] [--initial 5] [--second 5]
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLab } from '../lab/lab.js';
import { makeTestPki } from '../lab/testPki.js';
import { checkDelivery, startSyslogCollector } from '../lab/syslogCollector.js';
import { waitFor } from '../lab/poll.js';
import type { LabProcess } from '../lab/process.js';

const { values } = parseArgs({ options: {
  boxes: { type: 'string', default: '2000' }, workers: { type: 'string', default: '4' }, 'outage-s': { type: 'string', default: '10' },
  initial: { type: 'string', default: '5' }, second: { type: 'string', default: '5' },
} });
const BOXES = Number(values.boxes);
const W = Number(values.workers);
const worker = fileURLToPath(new URL('./upstreamFleetWorker.ts', import.meta.url));

interface Stat { waiting: number; phase2: boolean; attempts: number[]; oks: number[] }
const lab = await createLab({ mode: 'bridge', lanHosts: 1, v6: false });
try {
  const pki = await makeTestPki(join(lab.dir, 'pki'), lab.internet.collector.v4, 'collector.test');
  const col = await startSyslogCollector(lab, { ca: pki.caFile, ...pki.good });
  const target = join(lab.dir, 'target.json');
  await writeFile(target, JSON.stringify({ host: lab.internet.collector.v4, caPem: pki.caPem, serverName: 'collector.test' }));
  const phase = join(lab.dir, 'phase2');
  const per = Math.ceil(BOXES / W);
  const procs: LabProcess[] = [];
  const latest: Stat[] = [];
  const attempts: number[] = [];
  const oks: number[] = [];
  const seen = new Array<number>(W).fill(0);
  const t0 = Date.now();
  for (let w = 0; w < W; w++) {
    const n = Math.min(per, BOXES - w * per);
    procs.push(await lab.spawn(lab.ns.box, [process.execPath, '--import', 'tsx', worker, '--target', target, '--boxes', String(n), '--first', String(w * per),
      '--initial', values.initial, '--second', values.second, '--phase', phase]));
  }
  /** Reads the workers' new STAT lines; returns the total waiting. */
  const collect = (): number => {
    let waiting = 0;
    procs.forEach((p, w) => {
      const lines = p.stdout().split('\n').filter((l) => l.startsWith('STAT '));
      for (const l of lines.slice(seen[w])) {
        const s = JSON.parse(l.slice(5)) as Stat;
        attempts.push(...s.attempts);
        oks.push(...s.oks);
        latest[w] = s;
      }
      seen[w] = lines.length;
      waiting += latest[w]?.waiting ?? Number.POSITIVE_INFINITY;
    });
    return waiting;
  };
  await waitFor(() => collect() === 0, { what: 'the fleet\'s first messages to be confirmed', timeoutMs: 300_000, intervalMs: 250 });
  console.log(`fleet: ${BOXES} boxes in ${W} processes, first ${values.initial} messages each confirmed after ${((Date.now() - t0) / 1000).toFixed(1)} s (${oks.length} connections)`);
  await col.stop();
  await writeFile(phase, '');
  await waitFor(() => collect() > 0 && latest.every((s) => s?.phase2), { what: 'every box to queue during the outage', timeoutMs: 60_000, intervalMs: 250 });
  await new Promise((r) => setTimeout(r, Number(values['outage-s']) * 1000));
  collect();
  const failedDuringOutage = attempts.length - oks.length;
  attempts.length = 0;
  oks.length = 0;
  const restart = Date.now();
  await col.start();
  await waitFor(() => collect() === 0, { what: 'the fleet to drain after the restart', timeoutMs: 300_000, intervalMs: 250 });
  const drainS = (Date.now() - restart) / 1000;
  const perSecond = (ts: number[]): number => {
    const b = new Map<number, number>();
    for (const t of ts) if (t >= restart) b.set(Math.floor((t - restart) / 1000), (b.get(Math.floor((t - restart) / 1000)) ?? 0) + 1);
    return Math.max(0, ...b.values());
  };
  const spread = oks.filter((t) => t >= restart).map((t) => (t - restart) / 1000).sort((a, b) => a - b);
  const records = await col.records();
  const byBox = new Map<string, typeof records>();
  for (const r of records) byBox.set(r.box, [...(byBox.get(r.box) ?? []), r]);
  const expected = Number(values.initial) + Number(values.second);
  let missing = 0;
  let dup = 0;
  let skips = 0;
  for (let i = 0; i < BOXES; i++) {
    const d = checkDelivery(byBox.get(`fleet-${i}`) ?? [], expected);
    missing += d.missing.length + d.changedDuplicates.length;
    dup += d.duplicates;
    skips += d.skips.length;
  }
  console.log(`outage ${values['outage-s']} s: ${failedDuringOutage} failed connection attempts in the fleet (one backoff per box)`);
  console.log(`after the restart: peak ${perSecond(attempts)} attempts/s, peak ${perSecond(oks)} connections/s; connections spread from ${spread[0]?.toFixed(1)} s to ${spread[spread.length - 1]?.toFixed(1)} s (median ${spread[Math.floor(spread.length / 2)]?.toFixed(1)} s)`);
  console.log(`drained in ${drainS.toFixed(1)} s after the restart; collector holds ${records.length} lines for ${BOXES * expected} messages: ${missing} missing, ${dup} duplicates (same number, same bytes), ${skips} skips`);
  if (missing || skips) process.exitCode = 1;
  for (const p of procs) await p.stop();
} finally {
  await lab.destroy();
}
