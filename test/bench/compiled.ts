// Benchmarks that report memory run their measured side as utmd runs on the box: compiled
// JavaScript (dist/, no tsx loader, whose hooks thread alone costs ~35 MB RSS) under the node
// flags of the systemd unit. BENCH_NODE_FLAGS overrides the flags, for trying other settings.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../firmware/src/sys/paths.js';

const ROOT = packageRoot();

/** Node flags of utmd.service's ExecStart (throws when the unit does not start node). */
export function serviceNodeFlags(): string[] {
  const unit = readFileSync(join(ROOT, 'image/systemd/utmd.service'), 'utf8');
  const exec = /^ExecStart=(\S+)((?:\s+--\S+)*)/m.exec(unit);
  if (!exec || !exec[1]!.endsWith('/node')) throw new Error('utmd.service: ExecStart does not start with node');
  return exec[2]!.trim().split(/\s+/).filter(Boolean);
}

/** The flags to measure with, and where they came from. */
export function benchNodeFlags(): { flags: string[]; from: string } {
  const env = process.env['BENCH_NODE_FLAGS'];
  return env !== undefined ? { flags: env.split(' ').filter(Boolean), from: 'BENCH_NODE_FLAGS' } : { flags: serviceNodeFlags(), from: 'image/systemd/utmd.service' };
}

/** Compiles test/bench (and what it imports) into dist/; returns the compiled path of `benchFile` (a file URL). */
export function compileBench(benchFile: string): string {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.bench.json')], { stdio: 'inherit' });
  return join(ROOT, 'dist', relative(ROOT, fileURLToPath(benchFile))).replace(/\.ts$/, '.js');
}
