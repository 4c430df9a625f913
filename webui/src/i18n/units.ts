// Human units for staff text, in both languages: the one formatter every alert uses for
// "how often" (約27分ごと), "how many places" (30か所), "how much data" (2.1 GB) and
// "how long" (1時間以上 / more than 1 hour). Inputs are plain numbers from a finding's params;
// anything that is not a finite, non-negative number gives undefined, so a template can fall
// back to a sentence without the figure instead of printing "NaN".
import type { Lang } from './types.js';

const okNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** 1234 → "1,234" (both languages group thousands with commas). Grouped by hand:
 *  Number#toLocaleString's first use maps ~8 MB of ICU data into utmd for good. */
export function count(n: number): string {
  const r = Math.round(n);
  if (!Number.isFinite(r)) return String(r);
  // beyond 2^53 every double is an integer: its digits in full, never "1e+21"
  return String(Number.isSafeInteger(r) ? r : BigInt(r)).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** English plural: plural(1, 'server') → "1 server", plural(30, 'server') → "30 servers". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${Math.round(n) === 1 ? one : many}`;
}

/** A period as a person says it, rounded to one unit: 1614 s → ja 「約27分ごと」, en "about every 27 minutes";
 *  under 90 s in seconds, under 90 min in minutes, else hours (one decimal under 10 h). */
export function every(seconds: unknown, lang: Lang): string | undefined {
  if (!okNum(seconds) || seconds <= 0) return undefined;
  const { n, unit } = roundPeriod(seconds);
  if (lang === 'ja') return `約${n}${({ s: '秒', m: '分', h: '時間' } as const)[unit]}ごと`;
  if (n === '1') return `about every ${({ s: 'second', m: 'minute', h: 'hour' } as const)[unit]}`;
  return `about every ${n} ${({ s: 'seconds', m: 'minutes', h: 'hours' } as const)[unit]}`;
}

function roundPeriod(seconds: number): { n: string; unit: 's' | 'm' | 'h' } {
  if (seconds < 90) return { n: count(Math.max(1, seconds)), unit: 's' };
  if (seconds < 90 * 60) return { n: count(seconds / 60), unit: 'm' };
  const h = seconds / 3600;
  return { n: h < 10 ? trimmed(h) : count(h), unit: 'h' };
}

/** "2.1" for 2.14, "2" for 2.04: one decimal that is dropped when it is zero. */
function trimmed(x: number): string {
  const r = Math.round(x * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}

/** Data size in SI units (what a person's disk and provider bill say): 2_140_000_000 → "2.1 GB",
 *  43_800_000 → "44 MB", 900 → "900 bytes"/「900バイト」. One decimal below 10 of a unit. */
export function bytes(n: unknown, lang: Lang): string | undefined {
  if (!okNum(n)) return undefined;
  const units = [['TB', 1e12], ['GB', 1e9], ['MB', 1e6], ['KB', 1e3]] as const;
  for (const [u, size] of units) {
    if (n >= size * 0.95) {
      const x = n / size;
      return `${x < 10 ? trimmed(x) : count(x)} ${u}`;
    }
  }
  return lang === 'ja' ? `${count(n)}バイト` : plural(n, 'byte');
}

/** 「30か所」 / "30 servers" (the noun is the caller's, in English). */
export function places(n: unknown, lang: Lang, one = 'place', many?: string): string | undefined {
  if (!okNum(n)) return undefined;
  return lang === 'ja' ? `${count(n)}か所` : plural(n, one, many);
}

/** 「30台」 / "30 machines". */
export function machines(n: unknown, lang: Lang): string | undefined {
  if (!okNum(n)) return undefined;
  return lang === 'ja' ? `${count(n)}台` : plural(n, 'machine');
}

/** 「5回」 / "5 times" (once, twice as words in English). */
export function times(n: unknown, lang: Lang): string | undefined {
  if (!okNum(n)) return undefined;
  if (lang === 'ja') return `${count(n)}回`;
  const r = Math.round(n);
  return r === 1 ? 'once' : r === 2 ? 'twice' : `${count(r)} times`;
}

/** A lower bound on how long something lasted: 3600 s → 「1時間以上」 / "more than 1 hour";
 *  under an hour in minutes, under two days in hours, else days. Rounded down (it is a bound). */
export function atLeast(seconds: unknown, lang: Lang): string | undefined {
  if (!okNum(seconds)) return undefined;
  const [n, ja, one, many] = seconds >= 2 * 86400 ? [Math.floor(seconds / 86400), '日', 'day', 'days']
    : seconds >= 3600 ? [Math.floor(seconds / 3600), '時間', 'hour', 'hours']
      : [Math.max(1, Math.floor(seconds / 60)), '分', 'minute', 'minutes'];
  return lang === 'ja' ? `${count(n)}${ja}以上` : `more than ${plural(n, one, many)}`;
}

/** A window length: 10 → 「10分間」 / "10 minutes" (minutes in, as thresholds state them). */
export function minutes(n: unknown, lang: Lang): string | undefined {
  if (!okNum(n)) return undefined;
  if (n >= 120 && n % 60 === 0) return lang === 'ja' ? `${count(n / 60)}時間` : plural(n / 60, 'hour');
  return lang === 'ja' ? `${count(n)}分間` : plural(n, 'minute');
}
