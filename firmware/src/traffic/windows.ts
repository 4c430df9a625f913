// Detector windows kept across a restart (issue 15): without them a restart at 14:00 blinded
// beacon detection for the rest of the day (the warm-up clock restarted and a day of connections
// was gone). Written atomically to the state dir every few minutes and at stop; read at init.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** Saves the windows as of event time `now`, one part per turn of the event loop (a busy office's
 *  windows take most of a second to write out whole; flows keep being judged in between, and each
 *  part is consistent in itself). Throws on I/O errors. Callers must not run two at once. */
export async function saveWindows(stateDir: string, detectors: DetectorSet, now: number): Promise<void> {
  const parts: string[] = [];
  for (const [k, part] of Object.entries(detectors.snapshotParts(now))) {
    parts.push(`${JSON.stringify(k)}:${JSON.stringify(part())}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await writeAtomic(join(stateDir, WINDOWS_FILE), `{${parts.join(',')}}`);
}
