// Whether this process's malloc heap (the brk heap, glibc's main arena) can grow, and what a
// daemon under systemd does when it cannot: it hands its unit over to a fresh process.
//
// Node.js's own build is not position-independent: it sits at 0x400000 and the kernel starts
// the brk heap a random distance above it. As node starts, V8 reserves its code range at the
// first free range below 2 GiB that fits it, read from /proc/self/maps, rounded down to 256 KiB
// (src/heap/code-range.cc). That free range usually begins where the brk heap ends; rounded
// down it then falls inside the heap, the kernel refuses the hint and puts the range elsewhere.
// But when the heap happens to end on a 256 KiB boundary (about one start in 64) the hint is
// free: the code range lands right on the heap's end and the heap can never grow. glibc then
// keeps its main arena in separate mappings it cannot give back: idle utmd read 84.5 MB instead
// of 77–78 on the image, a bare process with the bundle 79.5–80 MB instead of 69–73.5 (README
// "Memory"). Nothing in the process can move either mapping; only a new process draws new
// addresses.
//
// The hand-over (utmd under systemd only, before it has done anything): the blocked process
// starts node again with its own flags, arguments and environment as systemd gave them
// (GLIBC_TUNABLES included), tells systemd the new main PID (`systemd-notify --pid=`, the unit
// has NotifyAccess=all) and exits; the new process waits until its parent is gone, so that one
// utmd only ever works at a time, and then starts as usual (READY=1, watchdog pings). systemd
// sees no failed start and counts no restart. At most MAX_DRAWS times in a row: a third blocked
// start (one in about 260,000) keeps running and says so in the journal. (Ending the start so
// that systemd draws again was tried first and not kept: `systemctl restart` then reports a
// failed job for a daemon that is up again 3 s later.)

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The environment variable that counts hand-overs in a row (and names the parent to wait for). */
export const DRAW_ENV = 'OTASUKE_HEAP_DRAW';
/** Fresh processes one start may draw at most. */
export const MAX_DRAWS = 2;

const BLOCKED_WHY = 'this process\'s malloc heap cannot grow (V8\'s code range begins where it ends; about one start in 64)';

/** True when a mapping begins exactly where the `[heap]` mapping ends (from /proc/PID/maps). */
export function brkHeapBlocked(maps: string): boolean {
  const ranges = [...maps.matchAll(/^([0-9a-f]+)-([0-9a-f]+) .*$/gm)];
  const heap = ranges.find((m) => m[0].endsWith('[heap]'));
  if (!heap) return false;
  const end = BigInt(`0x${heap[2] ?? '0'}`);
  return ranges.some((m) => BigInt(`0x${m[1] ?? '0'}`) === end);
}

/** The journal line for a process whose heap cannot grow and that keeps running, or undefined. */
export function heapNote(maps: string): string | undefined {
  return brkHeapBlocked(maps)
    ? `utmd: ${BLOCKED_WHY}: expect ~7–10 MB more memory until utmd next starts\n`
    : undefined;
}

/** This process's /proc/self/maps, or '' (no /proc: nothing to say). */
export function ownMaps(): string {
  try {
    return readFileSync('/proc/self/maps', 'utf8');
  } catch {
    return '';
  }
}

/** A hand-over in progress: which draw this process is, and the parent it waits for. */
export interface Drawn {
  draw: number;
  parent: number;
}

/**
 * Reads (and removes, so that no child of utmd inherits it) the hand-over mark from env:
 * `<draw>:<parent pid>`. Anything else in it is ignored: a mark that does not parse is a start
 * like any other.
 */
export function takeDrawn(env: NodeJS.ProcessEnv = process.env): Drawn | undefined {
  const mark = env[DRAW_ENV];
  delete env[DRAW_ENV];
  const m = /^([1-9]):([1-9][0-9]{0,9})$/.exec(mark ?? '');
  // PID 1 is never the parent that handed over (a stray mark set for the unit would make every
  // start wait for it)
  return m && Number(m[2]) > 1 ? { draw: Number(m[1]), parent: Number(m[2]) } : undefined;
}

export interface HandOverPlan {
  /** node, its flags, the script and its arguments. */
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** 1 for the first fresh process of this start. */
  draw: number;
}

export interface StartFacts {
  maps: string;
  /** The environment systemd gave this process (before utmd changed any of it). */
  env: NodeJS.ProcessEnv;
  execPath: string;
  execArgv: readonly string[];
  /** process.argv: node, the script, its arguments. */
  argv: readonly string[];
  pid: number;
  drawn: Drawn | undefined;
}

/**
 * What a starting daemon does about its heap: `run` (roomy, or nothing to do about it), `note`
 * (blocked; keep running and say so: not under systemd, or MAX_DRAWS used up) or `handOver`.
 */
export function heapPlan(f: StartFacts): { kind: 'run' } | { kind: 'note'; line: string } | { kind: 'handOver'; plan: HandOverPlan } {
  const note = heapNote(f.maps);
  if (note === undefined) return { kind: 'run' };
  const draw = (f.drawn?.draw ?? 0) + 1;
  const underSystemd = typeof f.env.NOTIFY_SOCKET === 'string' && f.env.NOTIFY_SOCKET !== '';
  if (!underSystemd || draw > MAX_DRAWS) return { kind: 'note', line: note };
  const env: NodeJS.ProcessEnv = { ...f.env, [DRAW_ENV]: `${draw}:${f.pid}` };
  // systemd names the process its watchdog is for; the pings will come from the new one.
  if (env.WATCHDOG_PID !== undefined) delete env.WATCHDOG_PID;
  return { kind: 'handOver', plan: { argv: [f.execPath, ...f.execArgv, ...f.argv.slice(1)], env, draw } };
}

/** The journal line of a hand-over. */
export function handOverLine(plan: HandOverPlan, childPid: number): string {
  return `utmd: ${BLOCKED_WHY}: handing over to a fresh process (PID ${childPid}, draw ${plan.draw} of ${MAX_DRAWS})\n`;
}

/** Tells systemd the unit's new main PID (sdNotify.ts's runner in utmd). */
export type MainPidNotifier = (pid: number) => Promise<void>;

/**
 * Starts the fresh process and names it to systemd. Resolves true once systemd-notify said the
 * message was processed and the fresh process still runs (the caller then exits); false when a
 * step failed or the fresh process died meanwhile (systemd refuses a PID that is gone, without
 * telling the sender): this process names itself the main PID again (best effort: a notify that
 * timed out may still have been processed), kills the fresh one (still waiting for this one to
 * go, so it has done nothing) and carries on. (A unit whose NotifyAccess= is not `all` would
 * ignore the message silently; utmd's own READY=1 needs `all` as well.)
 */
export async function handOver(plan: HandOverPlan, notifyMainPid: MainPidNotifier, log: (line: string) => void, ownPid = process.pid): Promise<boolean> {
  const [file, ...args] = plan.argv;
  if (file === undefined) return false;
  const child = spawn(file, args, { env: plan.env, stdio: 'inherit' });
  let named = false;
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    if (child.pid === undefined) throw new Error('no PID');
    log(handOverLine(plan, child.pid));
    named = true;
    await notifyMainPid(child.pid);
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the fresh process ended (${child.exitCode ?? child.signalCode})`);
    child.unref();
    return true;
  } catch (e) {
    if (named) await notifyMainPid(ownPid).catch(() => undefined);
    child.kill('SIGKILL');
    log(`utmd: could not hand over to a fresh process (${(e as Error).message.replace(/\s+/g, ' ').trim()}); carrying on: expect ~7–10 MB more memory until utmd next starts\n`);
    return false;
  }
}

/** Resolves once process `parent` is no longer this process's parent (it exited), or after maxMs. */
export async function parentGone(parent: number, maxMs = 10_000, ppid: () => number = () => process.ppid): Promise<boolean> {
  const until = Date.now() + maxMs;
  while (ppid() === parent) {
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
