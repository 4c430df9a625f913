// Shared by the robustness tests: what runs in the box namespace and who started it.
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, type Lab } from '../../lab/lab.js';
import { run } from '../../lab/run.js';

/** Pids of every process in network namespace `ns` (ip netns pids). */
export async function nsPids(ns: string): Promise<number[]> {
  return (await run(['ip', 'netns', 'pids', ns])).split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
}

/** Parent pid from /proc (null when the process is gone). */
export function ppidOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null; // exited
  }
}

/** Command line of a process, for messages (empty when gone). */
export function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** True when `pid` is `root` or descends from it. */
export function descendsFrom(pid: number, root: number): boolean {
  for (let p: number | null = pid, hops = 0; p !== null && p > 1 && hops < 64; p = ppidOf(p), hops++) {
    if (p === root) return true;
  }
  return false;
}

/** Processes in `ns` that are not `root` or its descendants, minus those in `allowed`. */
export async function strangers(ns: string, root: number, allowed: ReadonlySet<number> = new Set()): Promise<string[]> {
  return (await nsPids(ns)).filter((p) => !allowed.has(p) && !descendsFrom(p, root) && ppidOf(p) !== null).map((p) => `${p} ${cmdlineOf(p)}`);
}

export interface HttpAnswer {
  status: number;
  body?: string;
  error?: string;
  ms: number;
}

/** One HTTP GET from inside `ns` (agents/httpGet.ts); status 0 with `error` when it failed. */
export async function httpGet(ns: string, url: string, timeoutMs = 5000): Promise<HttpAnswer> {
  const script = fileURLToPath(new URL('../../lab/agents/httpGet.ts', import.meta.url));
  const out = await run(['ip', 'netns', 'exec', ns, process.execPath, '--import', 'tsx', script, '--timeout', String(timeoutMs), url],
    { cwd: REPO_ROOT, timeoutMs: timeoutMs + 60_000 });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as HttpAnswer;
}

export interface FloodCounts {
  open: number;
  opened: number;
  closed: number;
  errors: number;
  responses: number;
}

export interface Flood {
  /** The latest counts the flooder printed (zeros before the first line). */
  counts(): FloodCounts;
  stop(): Promise<void>;
}

/** Floods http://addr:port from inside `ns` (agents/flood.ts) until stop(). */
export async function startFlood(lab: Lab, ns: string, addr: string, port: number, o: { idle?: number; slow?: number; requests?: number; rate?: number }): Promise<Flood> {
  const args = [...Object.entries(o).flatMap(([k, v]) => (v ? [`--${k}`, String(v)] : [])), `${addr}:${port}`];
  const proc = await lab.spawnAgent(ns, 'flood', args);
  return {
    counts: () => {
      const last = proc.stdout().trim().split('\n').pop() ?? '';
      try {
        return JSON.parse(last) as FloodCounts;
      } catch {
        return { open: 0, opened: 0, closed: 0, errors: 0, responses: 0 }; // no full line yet
      }
    },
    stop: () => proc.stop(),
  };
}

/** Open file descriptors of a process (its /proc/PID/fd entries). */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Grows `file` until its file system refuses another byte (ENOSPC): a full disk, to the last
 *  byte, in bigger then smaller appends. */
export function fillUp(file: string): void {
  writeFileSync(file, '');
  for (const size of [256 * 1024, 4096, 512, 1]) {
    for (;;) {
      try { appendFileSync(file, Buffer.alloc(size)); } catch { break; }
    }
  }
}
