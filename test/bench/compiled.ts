// Benchmarks that report memory run their measured side as utmd runs on the box: compiled
// JavaScript (dist/, no tsx loader, whose hooks thread alone costs ~35 MB RSS) under the node
// flags and environment of the systemd unit. BENCH_NODE_FLAGS and BENCH_NODE_ENV override them,
// for trying other settings.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../firmware/src/sys/paths.js';

const ROOT = packageRoot();

/** utmd.service's ExecStart, split: node, its flags, and the script with its arguments
 *  (throws when the unit does not start node). */
export function serviceExecStart(): { node: string; flags: string[]; script: string[] } {
  const unit = readFileSync(join(ROOT, 'image/systemd/utmd.service'), 'utf8');
  const exec = /^ExecStart=(\S+)((?:\s+--\S+)*)(.*)$/m.exec(unit);
  if (!exec || !exec[1]!.endsWith('/node')) throw new Error('utmd.service: ExecStart does not start with node');
  const words = (text: string): string[] => text.trim().split(/\s+/).filter(Boolean);
  return { node: exec[1]!, flags: words(exec[2]!), script: words(exec[3]!) };
}

/** Node flags of utmd.service's ExecStart (throws when the unit does not start node). */
export function serviceNodeFlags(): string[] {
  return serviceExecStart().flags;
}

/** KEY=VALUE words as an environment (throws on anything else: systemd's quoting is not read). */
function envWords(text: string, where: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const w of text.split(/\s+/).filter(Boolean)) {
    const m = /^([A-Z_][A-Z0-9_]*)=([^"'\\]*)$/.exec(w);
    if (!m) throw new Error(`${where}: cannot read ${JSON.stringify(w)} as KEY=VALUE`);
    env[m[1]!] = m[2]!;
  }
  return env;
}

/** The environment utmd.service's Environment= lines give utmd. */
export function serviceEnvironment(): Record<string, string> {
  const unit = readFileSync(join(ROOT, 'image/systemd/utmd.service'), 'utf8');
  const env: Record<string, string> = {};
  for (const m of unit.matchAll(/^Environment=(.*)$/gm)) Object.assign(env, envWords(m[1]!, 'utmd.service Environment='));
  return env;
}

/** The flags and environment to measure with (the unit's; BENCH_NODE_FLAGS and BENCH_NODE_ENV,
 *  KEY=VALUE words, replace them), and where the flags came from. A measured child gets
 *  `{ ...process.env, ...env }`. */
export function benchNodeFlags(): { flags: string[]; env: Record<string, string>; from: string } {
  const flags = process.env['BENCH_NODE_FLAGS'];
  const env = process.env['BENCH_NODE_ENV'];
  return {
    flags: flags !== undefined ? flags.split(' ').filter(Boolean) : serviceNodeFlags(),
    env: env !== undefined ? envWords(env, 'BENCH_NODE_ENV') : serviceEnvironment(),
    from: `${flags !== undefined ? 'BENCH_NODE_FLAGS' : 'image/systemd/utmd.service'}${env !== undefined ? ', environment from BENCH_NODE_ENV' : ''}`,
  };
}

/** Compiles test/bench (and what it imports) into dist/; returns the compiled path of `benchFile` (a file URL). */
export function compileBench(benchFile: string): string {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.bench.json')], { stdio: 'inherit' });
  return join(ROOT, 'dist', relative(ROOT, fileURLToPath(benchFile))).replace(/\.ts$/, '.js');
}
