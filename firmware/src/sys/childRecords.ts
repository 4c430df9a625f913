// Records of the children utmd started (pid + kernel start time) in the state dir, so that
// a utmd restarted after kill -9 ends exactly its own leftovers and nothing else. A pid alone
// is not enough (pids are reused); the pair pid + start time (/proc/PID/stat field 22) is.
// Nothing is ever matched by program name.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const CHILDREN_DIR = 'children';

export const ChildRecordSchema = z.object({
  id: z.string(),
  pid: z.int(),
  /** Field 22 of /proc/PID/stat: clock ticks after boot when the process started. */
  startTime: z.string(),
  argv0: z.string(),
});
export type ChildRecord = z.infer<typeof ChildRecordSchema>;

/** Field 22 (starttime) of a /proc/PID/stat line; null when the text is not one. */
export function parseStartTime(stat: string): string | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  // fields after "(comm)" start at field 3 (state); starttime is field 22 → index 19
  const f = stat.slice(close + 2).split(' ');
  const v = f[19];
  return v !== undefined && /^\d+$/.test(v) ? v : null;
}

/** Start time of a live process, or null when it is gone (or a zombie). */
export function procStartTime(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // no such process: nothing to identify
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  if (state === 'Z' || state === 'X') return null;
  return parseStartTime(stat);
}

function fileFor(dir: string, id: string): string {
  return join(dir, `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

/** Records a just-spawned child; best effort (a full disk must not stop a sensor). Returns false on failure. */
export function recordChild(dir: string, id: string, pid: number, argv0: string): boolean {
  const startTime = procStartTime(pid);
  if (startTime === null) return false;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const rec: ChildRecord = { id, pid, startTime, argv0 };
    writeFileSync(fileFor(dir, id), JSON.stringify(rec), { mode: 0o600 });
    return true;
  } catch {
    return false; // disk full or read-only: the systemd control group still covers the child
  }
}

/** Forgets the record of a child that exited (only if it is still that child's record). */
export function forgetChild(dir: string, id: string, pid: number): void {
  const file = fileFor(dir, id);
  try {
    const rec = z.looseObject({ pid: z.unknown() }).safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (rec.success && rec.data.pid === pid) rmSync(file, { force: true });
  } catch {
    // no record (never written or already gone): nothing to forget
  }
}

/** Pure: which recorded children are still the very processes utmd started. */
export function stillOurs(records: readonly ChildRecord[], startTimeOf: (pid: number) => string | null): ChildRecord[] {
  return records.filter((r) => r.pid > 1 && startTimeOf(r.pid) === r.startTime);
}

/** Reads every record in `dir`; malformed ones are returned as `bad` file names. */
export function readRecords(dir: string): { records: ChildRecord[]; bad: string[] } {
  const records: ChildRecord[] = [];
  const bad: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { records, bad }; // no dir: no children were ever recorded
  }
  for (const n of names) {
    try {
      const r = ChildRecordSchema.safeParse(JSON.parse(readFileSync(join(dir, n), 'utf8')));
      if (r.success) records.push(r.data);
      else bad.push(n);
    } catch {
      bad.push(n);
    }
  }
  return { records, bad };
}

/**
 * At start: SIGKILLs the leftovers of a previous utmd (each recorded child whose pid still
 * has the recorded start time, and its process group, which the child leads), then removes
 * every record. Waits (up to `waitMs`) until they are gone, so a restarted dnsmasq can bind.
 * Returns what was ended.
 */
export async function endLeftovers(dir: string, waitMs = 3000): Promise<ChildRecord[]> {
  const { records } = readRecords(dir);
  const ours = stillOurs(records, procStartTime);
  for (const r of ours) {
    for (const target of [-r.pid, r.pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // ESRCH: it (or its group) ended between the check and the kill
      }
    }
  }
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // read-only state dir: records stay; they are checked by start time next time anyway
  }
  for (let waited = 0; waited < waitMs && ours.some((r) => procStartTime(r.pid) === r.startTime); waited += 20) {
    await new Promise((res) => setTimeout(res, 20));
  }
  return ours;
}
