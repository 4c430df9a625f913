// Benchmark: ulogd2 start time under the Supervisor (spawn → "initialization finished"
// line), as a ratio of a bare spawn+exit of `ulogd --version` measured in the same run.
// Needs root: creates a throwaway network namespace, re-runs itself inside it, removes it.
// Run: node --import tsx test/bench/ulogdStart.bench.ts
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UlogdSensor } from '../../firmware/src/sensors/ulogd.js';

const RUNS = Number(process.env.RUNS ?? 10);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function inner(): Promise<void> {
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    spawnSync('/usr/sbin/ulogd', ['--version'], { stdio: 'ignore' });
    bare.push(performance.now() - t0);
  }
  const ready: number[] = [];
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'utm-ulogd-bench-'));
  try {
    for (let i = 0; i < RUNS; i++) {
      let t0 = 0;
      let resolve!: () => void;
      const up = new Promise<void>((r) => { resolve = r; });
      const sensor = new UlogdSensor({
        stateDir, now: Date.now,
        config: { pluginDir: '/usr/lib/x86_64-linux-gnu/ulogd', nflogGroups: [7], udpPort: 5140,
          nfct: { enabled: true }, netlinkBufferSize: 8388608, netlinkBufferMaxSize: 33554432 },
        onHealth: (h) => { if (h.ok) resolve(); },
      });
      t0 = performance.now();
      await sensor.start();
      await up;
      ready.push(performance.now() - t0);
      await sensor.stop();
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
  console.log(`bare spawn of ulogd --version: median ${median(bare).toFixed(1)} ms`);
  console.log(`sensor start → ready (render, write, spawn, plugins, netlink binds): median ${median(ready).toFixed(1)} ms, max ${Math.max(...ready).toFixed(1)} ms`);
  console.log(`ratio: ${(median(ready) / median(bare)).toFixed(1)}x a bare spawn`);
}

if (process.argv[2] === '--inner') {
  await inner();
} else {
  const ns = `utm-bench-${process.pid}`;
  execFileSync('/usr/sbin/ip', ['netns', 'add', ns]);
  try {
    execFileSync('/usr/sbin/ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    execFileSync('/usr/sbin/ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx',
      fileURLToPath(import.meta.url), '--inner'], { stdio: 'inherit' });
  } finally {
    execFileSync('/usr/sbin/ip', ['netns', 'del', ns]);
  }
}
