// Durations typed by a technician: "90s", "30m", "24h", "7d" → ms.
import { UsageError } from './args.js';

const UNIT: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "<n><s|m|h|d>"; throws UsageError for anything else. */
export function parseDuration(s: string): number {
  const m = /^(\d{1,6})([smhd])$/.exec(s.trim());
  if (!m) throw new UsageError(`bad duration "${s}" (e.g. 30m, 24h, 7d)`);
  return Number(m[1]) * UNIT[m[2]!]!;
}
