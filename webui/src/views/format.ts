// Date and time wording for the page. Pure: the zone is passed in.
import type { Lang } from '../i18n/types.js';

/** "11月26日 22:40" (ja) or "26 Nov, 22:40" (en) in `timeZone`; "-" for a bad timestamp. */
export function formatWhen(ms: number, lang: Lang, timeZone: string): string {
  if (!Number.isFinite(ms)) return '-';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '-';
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
    timeZone, month: lang === 'ja' ? 'long' : 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(d);
}

/** Full date and time for the technician section, e.g. "2026/11/26 22:40:05". */
export function formatStamp(ms: number, lang: Lang, timeZone: string): string {
  if (!Number.isFinite(ms)) return '-';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '-';
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).format(d);
}
