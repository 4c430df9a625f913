// Whether this process's malloc heap (the brk heap, glibc's main arena) can grow.
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
// "Memory"). Nothing in the process can move either mapping; utmd says so in the journal, so
// that a technician, and the image bench, can tell this start from a leak. (Ending the start so
// that systemd draws a new address was tried and not kept: `systemctl restart` then reports a
// failed job for a daemon that is up again 3 s later.)

import { readFileSync } from 'node:fs';

/** True when a mapping begins exactly where the `[heap]` mapping ends (from /proc/PID/maps). */
export function brkHeapBlocked(maps: string): boolean {
  const ranges = [...maps.matchAll(/^([0-9a-f]+)-([0-9a-f]+) .*$/gm)];
  const heap = ranges.find((m) => m[0].endsWith('[heap]'));
  if (!heap) return false;
  const end = BigInt(`0x${heap[2] ?? '0'}`);
  return ranges.some((m) => BigInt(`0x${m[1] ?? '0'}`) === end);
}

/** The journal line for a process whose heap cannot grow, or undefined (also without /proc). */
export function heapNote(maps: string): string | undefined {
  return brkHeapBlocked(maps)
    ? 'utmd: this process\'s malloc heap cannot grow (V8\'s code range begins where it ends; about one start in 64): expect ~7–10 MB more memory until utmd next starts\n'
    : undefined;
}

/** heapNote for this process. */
export function ownHeapNote(): string | undefined {
  try {
    return heapNote(readFileSync('/proc/self/maps', 'utf8'));
  } catch {
    return undefined;
  }
}
