// Detector windows kept across a restart (issue 15): without them a restart at 14:00 blinded
// beacon detection for the rest of the day (the warm-up clock restarted and a day of connections
// was gone). Written atomically to the state dir every few minutes and at stop; read at init.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonPieces } from '../collections/rows.js';
import type { DetectorSet } from '../detectors/index.js';
import { writeAtomic } from '../sys/files.js';

export const WINDOWS_FILE = 'traffic-windows.json';

/** Restores the windows saved in `stateDir`; returns what happened (never throws: a missing or
 *  damaged file costs only the warm-up, and is said in the log by the caller). */
export function loadWindows(stateDir: string, detectors: DetectorSet): { restored: boolean; error?: unknown } {
  let text: string;
  try {
    text = readFileSync(join(stateDir, WINDOWS_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { restored: false };
    return { restored: false, error: e };
  }
  try {
    detectors.restore(JSON.parse(text));
    return { restored: true };
  } catch (e) {
    return { restored: false, error: e };
  }
}

export interface SaveOptions {
  /** Longest stretch the save runs without letting the event loop turn, in ms (default 5). */
  sliceMs?: number | undefined;
  /** Waits between slices (default: one turn of the event loop); tests change the windows here. */
  pause?: (() => Promise<void>) | undefined;
}

const SLICE_MS = 5;
const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** Saves the windows as of event time `now` in slices of about `sliceMs` (5 ms) between turns of the
 *  event loop, each slice written to the temp file as it is made: a busy office's windows take
 *  most of a second to write out, its beacon pairs alone a third (README, "Window state survives
 *  a restart"). Flows keep being judged in between; what the file then holds is said in
 *  collections/rows.ts (each row whole, as of its slice; no key twice). The text is what
 *  JSON.stringify(detectors.snapshot(now)) gives when nothing changes meanwhile. Throws on I/O
 *  errors. Callers must not run two at once. */
export async function saveWindows(stateDir: string, detectors: DetectorSet, now: number, o: SaveOptions = {}): Promise<void> {
  await writeAtomic(join(stateDir, WINDOWS_FILE), slices(windowsPieces(detectors, now), o.sliceMs ?? SLICE_MS, o.pause ?? nextTurn));
}

/** The file's text in pieces: each part taken when its turn comes, its tables row by row. */
function* windowsPieces(detectors: DetectorSet, now: number): Generator<string, void, undefined> {
  yield '{';
  let first = true;
  for (const [k, part] of Object.entries(detectors.snapshotParts(now))) {
    yield `${first ? '' : ','}${JSON.stringify(k)}:`;
    first = false;
    yield* jsonPieces(part());
  }
  yield '}';
}

/** `pieces` joined into slices of about `sliceMs` of work each, with `pause` between them. */
async function* slices(pieces: Iterator<string>, sliceMs: number, pause: () => Promise<void>): AsyncGenerator<string, void, undefined> {
  for (;;) {
    const t0 = performance.now(), slice: string[] = [];
    let r = pieces.next();
    for (; r.done !== true; r = pieces.next()) {
      slice.push(r.value);
      if (performance.now() - t0 >= sliceMs) break;
    }
    if (slice.length > 0) yield slice.join('');
    if (r.done === true) return;
    await pause();
  }
}
