// Durations typed by a technician or written in config: the one reader for the whole box.

export class DurationError extends Error {
  override name = 'DurationError';
}

const UNIT_SECONDS = { '': 1, s: 1, m: 60, h: 3600, d: 86400 } as const;

/** `90s`, `15m`, `24h`, `7d` (or plain seconds) → milliseconds; 1 s .. 365 d. Throws DurationError. */
export function parseDuration(text: string): number {
  const m = /^([1-9][0-9]{0,6})([smhd]?)$/.exec(text.trim());
  if (!m) throw new DurationError(`not a duration: ${JSON.stringify(text.slice(0, 40))} (e.g. 90s, 15m, 24h, 7d)`);
  const ms = Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS] * 1000;
  if (ms > 365 * 86400_000) throw new DurationError('longer than 365 days');
  return ms;
}
