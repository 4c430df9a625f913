// Whether this process's malloc heap (the brk heap, glibc's main arena) can grow, and what to do
// when it cannot.
//
// Node.js's own build is not position-independent: it sits at 0x400000 and the kernel starts
// the brk heap a random distance above it. As node starts, V8 reserves its code range at the
// first free range below 2 GiB that fits it, read from /proc/self/maps, rounded down to 256 KiB
// (src/heap/code-range.cc). That free range usually begins where the brk heap ends; rounded
// down it then falls inside the heap, the kernel refuses the hint and puts the range elsewhere.
// But when the heap happens to end on a 256 KiB boundary (about one start in 64) the hint is
// free: the code range lands right on the heap's end and the heap can never grow. glibc then
// takes separate mappings for the main arena and cannot give them back: idle utmd read 85 MB
// instead of 77–78 on the image, a bare process with the bundle 79–80 MB instead of 69
// (README "Memory"). A new process draws a new heap address, so under systemd utmd ends at once
// and is started again (Restart=always, the ruleset stays in the kernel meanwhile), at most
// MAX_TRIES times in a row (a kernel without address randomisation would draw the same address
// every time).

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** Starts given up in a row before utmd runs with the blocked heap anyway. */
export const MAX_TRIES = 2;
/** The count of starts given up in a row, in the unit's runtime dir (kept over a restart, emptied at a stop). */
const MARKER = 'heap-blocked-starts';

/** True when a mapping begins exactly where the `[heap]` mapping ends (from /proc/PID/maps). */
export function brkHeapBlocked(maps: string): boolean {
  const ranges = [...maps.matchAll(/^([0-9a-f]+)-([0-9a-f]+) .*$/gm)];
  const heap = ranges.find((m) => m[0].endsWith('[heap]'));
  if (!heap) return false;
  const end = BigInt(`0x${heap[2] ?? '0'}`);
  return ranges.some((m) => BigInt(`0x${m[1] ?? '0'}`) === end);
}

export interface HeapVerdict {
  /** End this process so that systemd starts a new one. */
  startAgain: boolean;
  /** What to write to the journal, if anything. */
  note?: string;
}

/**
 * Decides at start: go on, or end so that systemd starts utmd again. Only under systemd (a
 * runtime dir it named, INVOCATION_ID set): run by hand or in the lab utmd always goes on. Any
 * trouble with the count file means going on.
 */
export function heapVerdict(maps: string, env: NodeJS.ProcessEnv): HeapVerdict {
  const runtimeDir = env['RUNTIME_DIRECTORY']?.split(':')[0];
  const managed = Boolean(env['INVOCATION_ID']) && runtimeDir !== undefined && isAbsolute(runtimeDir);
  const marker = managed ? join(runtimeDir, MARKER) : undefined;
  if (!brkHeapBlocked(maps)) {
    if (marker) rmSync(marker, { force: true });
    return { startAgain: false };
  }
  const blocked = 'utmd: this process\'s malloc heap cannot grow (V8\'s code range begins where it ends), which costs ~7–10 MB';
  if (!marker) return { startAgain: false, note: `${blocked}; going on\n` };
  let tries = 0;
  try {
    tries = Number.parseInt(readFileSync(marker, 'utf8'), 10) || 0;
  } catch { /* none yet */ }
  if (tries >= MAX_TRIES) {
    rmSync(marker, { force: true });
    return { startAgain: false, note: `${blocked}; ${tries} new processes drew the same, so going on with it\n` };
  }
  try {
    writeFileSync(marker, `${tries + 1}\n`);
  } catch {
    return { startAgain: false, note: `${blocked}; going on (the runtime dir cannot be written)\n` };
  }
  return { startAgain: true, note: `${blocked}; ending so that systemd starts a new process (try ${tries + 1} of ${MAX_TRIES})\n` };
}

/** heapVerdict for this process. */
export function ownHeapVerdict(env: NodeJS.ProcessEnv = process.env): HeapVerdict {
  try {
    return heapVerdict(readFileSync('/proc/self/maps', 'utf8'), env);
  } catch {
    return { startAgain: false }; // no /proc: nothing to tell
  }
}
