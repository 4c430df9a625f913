// Date and time wording for the page. Pure: the zone is passed in.
import type { Lang } from '../i18n/types.js';

/** What follows a time shown in UTC: office staff need not know the abbreviation. */
const UTC_MARK: Record<Lang, string> = { ja: '（世界標準時）', en: ' (UTC)' };

/** `options` formatted in `timeZone`; in UTC, marked so, when this node's ICU does not know the
 *  zone (the bundle's zone is checked against a generated list, time/timeZone.ts, which a
 *  box's older ICU may lag: e.g. America/Coyhaique, 2025, is unknown to ICU 76). */
function inZone(d: Date, lang: Lang, timeZone: string, options: Intl.DateTimeFormatOptions): string {
  const locale = lang === 'ja' ? 'ja-JP' : 'en-GB';
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(d);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(d) + UTC_MARK[lang];
  }
}

/** "11月26日 22:40" (ja) or "26 Nov, 22:40" (en) in `timeZone`; "-" for a bad timestamp. */
export function formatWhen(ms: number, lang: Lang, timeZone: string): string {
  if (!Number.isFinite(ms)) return '-';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '-';
  return inZone(d, lang, timeZone, {
    month: lang === 'ja' ? 'long' : 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  });
}

/** Full date and time for the technician section, e.g. "2026/11/26 22:40:05". */
export function formatStamp(ms: number, lang: Lang, timeZone: string): string {
  if (!Number.isFinite(ms)) return '-';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '-';
  return inZone(d, lang, timeZone, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
}
