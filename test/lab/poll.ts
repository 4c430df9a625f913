// Polling with a deadline: the lab and the tests use this instead of sleeping.
import { setTimeout as sleep } from 'node:timers/promises';
import { SET_READ_MS } from '../../firmware/src/devices/kernelTables.js';

/** How long a test waits for a device seen only in the sightings set to reach the inventory:
 *  one read period of the set (devices/kernelTables.ts) and 30 s for a loaded machine. The
 *  wait was 60 s, as long as the period itself: it took 58 s on an idle machine and failed on
 *  a loaded one (CI, 2026-12-04). */
export const SIGHTING_WAIT_MS = SET_READ_MS + 30_000;

export class PollTimeoutError extends Error {
  override name = 'PollTimeoutError';
  constructor(readonly what: string, readonly timeoutMs: number, readonly lastError: unknown) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}`, lastError === undefined ? undefined : { cause: lastError });
  }
}

export interface PollOptions {
  /** Give up after this many milliseconds (default 10 s). */
  timeoutMs?: number;
  /** Pause between attempts (default 50 ms). */
  intervalMs?: number;
  /** Words for the error message: what we were waiting for. */
  what?: string;
}

/**
 * Calls fn until it returns a value other than undefined/false/null and returns that value.
 * An exception from fn counts as "not yet" and is kept as the cause of the final timeout.
 * Throws PollTimeoutError when the deadline passes.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, opts: PollOptions = {}): Promise<Exclude<T, undefined | null | false>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v as Exclude<T, undefined | null | false>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) throw new PollTimeoutError(opts.what ?? 'a condition', timeoutMs, lastError);
    await sleep(Math.min(intervalMs, Math.max(1, deadline - Date.now())));
  }
}
