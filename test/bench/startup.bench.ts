// Benchmark: utmd start → last-good ruleset enforced, against the raw baseline of `nft -j -f`
// of the same last-good file in the same namespace (the physical limit), plus the time until
// utmd answers utmctl and its idle RSS. Builds a bridge-mode lab and always removes it.
// Usage: npx tsx test/bench/startup.bench.ts [--rounds N]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLab } from '../lab/lab.js';
import { startUtmd } from '../lab/utmd.js';
import { run, runResult } from '../lab/run.js';

const i = process.argv.indexOf('--rounds');
const rounds = i >= 0 ? Number(process.argv[i + 1]) : 3;
const NFT = '/usr/sbin/nft';
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  try {
    const box = lab.ns.box;
    const first = await startUtmd(lab);
    const stateDir = first.stateDir;
    await first.stop();
    const lastGood = join(stateDir, 'ruleset.last-good.json');
    const dropTables = () => run(['ip', 'netns', 'exec', box, NFT, 'delete table inet utm; delete table bridge utm']);
    const raw: number[] = [];
    const enforced: number[] = [];
    const ready: number[] = [];
    let rss = 0;
    for (let r = 0; r < rounds; r++) {
      await dropTables();
      const t0 = performance.now();
      await run(['ip', 'netns', 'exec', box, NFT, '-j', '-f', lastGood]);
      raw.push(performance.now() - t0);

      await dropTables();
      const s0 = performance.now();
      const started = startUtmd(lab, { stateDir });
      // Poll the kernel for our table: the moment the office is protected again.
      for (;;) {
        const res = await runResult(['ip', 'netns', 'exec', box, NFT, 'list', 'table', 'inet', 'utm']);
        if (res.code === 0) break;
        if (performance.now() - s0 > 60_000) throw new Error('ruleset never came back');
      }
      enforced.push(performance.now() - s0);
      const utmd = await started;
      ready.push(performance.now() - s0);
      await new Promise((res) => setTimeout(res, 10_000)); // idle: let start-up garbage settle
      const status = readFileSync(`/proc/${utmd.proc.pid}/status`, 'utf8');
      rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
      await utmd.stop();
    }
    const size = readFileSync(lastGood).length;
    console.log(`last-good document: ${size} bytes`);
    console.log(`raw nft -j -f last-good (baseline): median ${median(raw).toFixed(0)} ms`);
    console.log(`utmd start → last-good enforced:    median ${median(enforced).toFixed(0)} ms  (${(median(enforced) / median(raw)).toFixed(1)}× baseline; includes Node start and module load)`);
    console.log(`utmd start → utmctl answers:        median ${median(ready).toFixed(0)} ms`);
    console.log(`utmd idle RSS after 10 s:           ${rss.toFixed(0)} MiB`);
  } finally {
    await lab.destroy();
  }
}

await main();
