// How utmctl tells "busy" (utmd's main loop is occupied, e.g. parsing a large feed) from "not
// answering" (utmd is stuck or stopped) even when the main loop cannot answer. utmd keeps a
// small file next to its control socket: its pid, its start time and the commands it works on,
// rewritten synchronously when a command starts or ends (so it is on disk before a handler
// occupies the loop). utmctl then asks the kernel what utmd's main thread is doing
// (/proc/PID/task/PID/stat and wchan): asleep in epoll is a free event loop; running, in
// uninterruptible I/O or waiting anywhere else is an occupied one; stopped or gone is neither.
// This replaced a worker thread that answered on a second socket: its own V8 isolate cost
// ~10 MB of utmd's 80 MB idle budget (issue 14, test/bench/footprint.bench.ts), for what the
// kernel already knows. The systemd watchdog does not depend on it (sys/sdNotify.ts pings from
// the main loop itself).
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

export const LIVENESS_FILE_NAME = 'utmd.live.json';

/** What utmd writes to the liveness file: its pid, field 22 of /proc/PID/stat (start time in
 *  clock ticks since boot, which tells a reused pid apart), and the commands the main loop works
 *  on with their start as Date.now() ms. */
export interface LivenessFile {
  pid: number;
  startTicks: number;
  running: Array<{ cmd: string; at: number }>;
}

/** What utmctl learns from the file and the kernel. */
export interface LivenessAnswer {
  pid: number;
  /** The main thread is running, in I/O or blocked outside its event loop's wait. */
  occupied: boolean;
  /** Commands the main loop was working on when it last said so. */
  running: Array<{ cmd: string; sinceMs: number }>;
}

/** Pure: the state letter and start time of a /proc/PID/stat line (the name may hold spaces and parentheses). */
export function parseProcStat(text: string): { state: string; startTicks: number } | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const f = text.slice(close + 2).split(' ');
  // after "(comm) ": f[0] is field 3 (state), so field 22 (starttime) is f[19]
  const startTicks = Number(f[19]);
  if (!f[0] || !Number.isSafeInteger(startTicks)) return null;
  return { state: f[0], startTicks };
}

/** Pure: whether a main thread in `state`, sleeping in kernel function `wchan`, is occupied
 *  (null: stopped, dead or a zombie, so not working at all). An unreadable wchan ("" or "0")
 *  counts a sleeping thread as free, which ends in "not answering" rather than "busy" for ever. */
export function mainThreadOccupied(state: string, wchan: string): boolean | null {
  if (state === 'R' || state === 'D') return true;
  if (state !== 'S') return null; // T, t (stopped, traced), Z, X
  if (wchan === '' || wchan === '0') return false;
  return !/epoll|ep_poll/.test(wchan);
}

const LivenessFileSchema = z.object({
  pid: z.int().min(1),
  startTicks: z.int().min(0),
  running: z.array(z.object({ cmd: z.string().max(100), at: z.number() })).max(1000),
});

/** Parses the liveness file's text; null when it is not utmd's. */
export function parseLivenessFile(text: string): LivenessFile | null {
  try {
    const r = LivenessFileSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null; // not JSON: not utmd's file
  }
}

/** Reads the liveness file and the kernel's view of that pid's main thread; null when no utmd
 *  of that file is alive (no file, unreadable, pid gone or reused, stopped). */
export async function readLiveness(path: string, now = Date.now()): Promise<LivenessAnswer | null> {
  let file: LivenessFile | null;
  let stat: ReturnType<typeof parseProcStat>;
  let wchan: string;
  try {
    file = parseLivenessFile(await readFile(path, 'utf8'));
    if (!file) return null;
    const task = `/proc/${file.pid}/task/${file.pid}`;
    stat = parseProcStat(await readFile(`${task}/stat`, 'utf8'));
    wchan = (await readFile(`${task}/wchan`, 'utf8').catch(() => '')).trim();
  } catch {
    return null; // no file or no such process: nothing alive to ask
  }
  if (!stat || stat.startTicks !== file.startTicks) return null;
  const occupied = mainThreadOccupied(stat.state, wchan);
  if (occupied === null) return null;
  return { pid: file.pid, occupied, running: file.running.map((r) => ({ cmd: r.cmd, sinceMs: now - r.at })) };
}

/** utmd's side: keeps the liveness file current. */
export class Liveness {
  private startTicks = 0;
  private on = false;
  /** The last write failed (a full disk): the next failure is not said again. */
  private failing = false;

  constructor(private readonly path: string) {}

  /** Writes the file; throws when it cannot be written (or /proc/self/stat not read). */
  start(): void {
    const stat = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
    if (!stat) throw new Error('liveness: cannot read /proc/self/stat');
    this.startTicks = stat.startTicks;
    this.on = true;
    this.running([]);
  }

  /** Records which commands run now (their start as Date.now() ms). Synchronous on purpose:
   *  the file must say so before the handler occupies the loop. Never throws. */
  running(list: Array<{ cmd: string; at: number }>): void {
    if (!this.on) return;
    const body: LivenessFile = { pid: process.pid, startTicks: this.startTicks, running: list };
    const tmp = `${this.path}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify(body)}\n`, { mode: 0o600 });
      renameSync(tmp, this.path);
      this.failing = false;
    } catch (e) {
      // a full disk must not fail the command; utmctl then reads the previous list. Said once
      // per run of failures: every command writes this file (the storage condition shows the disk).
      if (!this.failing) process.emitWarning(`liveness file not written (said once until it is again): ${String(e)}`);
      this.failing = true;
    }
  }

  /** Removes the file. */
  stop(): void {
    this.on = false;
    rmSync(this.path, { force: true });
    rmSync(`${this.path}.tmp`, { force: true });
  }
}
