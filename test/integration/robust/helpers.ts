// Shared by the robustness tests: what runs in the box namespace and who started it.
import { readFileSync } from 'node:fs';
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
