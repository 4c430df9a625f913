// Benchmark: how long the lab takes to build and tear down, as a ratio of the raw cost of
// creating and deleting the same number of bare namespaces with iproute2 (the baseline,
// measured in the same run). Usage: npx tsx test/bench/lab.bench.ts [--rounds N]
import { performance } from 'node:perf_hooks';
import { createLab } from '../lab/lab.js';
import { deleteNamespace, ip, newLabId, nsName } from '../lab/netns.js';
import type { LabMode } from '../lab/topology.js';

const i = process.argv.indexOf('--rounds');
const rounds = i >= 0 ? Number(process.argv[i + 1]) : 5;
const LAN_HOSTS = 2;
const NAMESPACES = 3 + LAN_HOSTS;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

async function baseline(): Promise<{ build: number; teardown: number }> {
  const id = newLabId();
  const names = Array.from({ length: NAMESPACES }, (_, k) => nsName(id, `raw${k}`));
  const t0 = performance.now();
  for (const n of names) await ip(['netns', 'add', n]);
  const t1 = performance.now();
  for (const n of names) await deleteNamespace(n);
  return { build: t1 - t0, teardown: performance.now() - t1 };
}

async function lab(mode: LabMode): Promise<{ build: number; teardown: number }> {
  const t0 = performance.now();
  const l = await createLab({ mode, lanHosts: LAN_HOSTS });
  const t1 = performance.now();
  await l.destroy();
  return { build: t1 - t0, teardown: performance.now() - t1 };
}

const base = { build: [] as number[], teardown: [] as number[] };
const res: Record<LabMode, { build: number[]; teardown: number[] }> = { bridge: { build: [], teardown: [] }, router: { build: [], teardown: [] } };
for (let r = 0; r < rounds; r++) {
  const b = await baseline();
  base.build.push(b.build);
  base.teardown.push(b.teardown);
  for (const mode of ['bridge', 'router'] as const) {
    const m = await lab(mode);
    res[mode].build.push(m.build);
    res[mode].teardown.push(m.teardown);
  }
}
const fmt = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
process.stdout.write(`baseline (${NAMESPACES} bare namespaces, median of ${rounds}): add ${fmt(median(base.build))}, delete ${fmt(median(base.teardown))}\n`);
for (const mode of ['bridge', 'router'] as const) {
  const b = median(res[mode].build);
  const t = median(res[mode].teardown);
  process.stdout.write(`${mode} lab (${LAN_HOSTS} LAN hosts): build ${fmt(b)} = ${(b / median(base.build)).toFixed(1)}x baseline, `
    + `teardown ${fmt(t)} = ${(t / median(base.teardown)).toFixed(1)}x baseline\n`);
}
