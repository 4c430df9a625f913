// Date and time wording for the page, in the office's zone, passed in by name. Built here, not by
// Intl.DateTimeFormat: its first use maps ~8 MB of ICU data into utmd for good (issue 14). The
// wording is ICU's own for ja-JP and en-GB (test/unit/webui/views/format.test.ts compares the two);
// the zone's offsets come from the box's tz database (firmware/src/time/zone.ts).
import { zoneNamed, type Zone } from '../../../firmware/src/time/zone.js';
import { EN_MONTHS_SHORT } from '../i18n/months.js';
import type { Lang } from '../i18n/types.js';

/** What follows a time shown in UTC: office staff need not know the abbreviation. */
const UTC_MARK: Record<Lang, string> = { ja: '（世界標準時）', en: ' (UTC)' };

const two = (n: number): string => String(n).padStart(2, '0');

/** The wall-clock fields of `ms` in `zone` (getUTC* of the shifted time), or null for a time
 *  Date cannot hold. */
function wallClock(ms: number, zone: Zone): Date | null {
  if (!Number.isFinite(ms)) return null;
  const d = new Date(ms + zone.offsetMs(ms));
  return Number.isNaN(d.getTime()) || Number.isNaN(new Date(ms).getTime()) ? null : d;
}

/** What follows a time: nothing, or the UTC mark when the zone's rules were not found. */
const mark = (zone: Zone, lang: Lang): string => (zone.known ? '' : UTC_MARK[lang]);

/** "11月26日 22:40" (ja) or "26 Nov, 22:40" (en) in `timeZone`; "-" for a bad timestamp. */
export function formatWhen(ms: number, lang: Lang, timeZone: string): string {
  const zone = zoneNamed(timeZone);
  const d = wallClock(ms, zone);
  if (!d) return '-';
  const hm = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
  const text = lang === 'ja'
    ? `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${hm}`
    : `${d.getUTCDate()} ${EN_MONTHS_SHORT[d.getUTCMonth()]}, ${hm}`;
  return text + mark(zone, lang);
}

/** Full date and time for the technician section, e.g. "2026/11/26 22:40:05" (ja) or
 *  "26/11/2026, 22:40:05" (en). */
export function formatStamp(ms: number, lang: Lang, timeZone: string): string {
  const zone = zoneNamed(timeZone);
  const d = wallClock(ms, zone);
  if (!d) return '-';
  const y = String(d.getUTCFullYear()), mo = two(d.getUTCMonth() + 1), da = two(d.getUTCDate());
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return (lang === 'ja' ? `${y}/${mo}/${da} ${time}` : `${da}/${mo}/${y}, ${time}`) + mark(zone, lang);
}

/** A day ("2026-11-26", read as UTC) as a short label: "11/26" (ja) or "26/11" (en). */
export function formatDay(day: string, lang: Lang): string {
  const d = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return day;
  return lang === 'ja' ? `${d.getUTCMonth() + 1}/${d.getUTCDate()}` : `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}`;
}
