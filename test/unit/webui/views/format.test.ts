import test from 'ava';
import { formatDay, formatStamp, formatWhen } from '../../../../webui/src/views/format.js';

const at = Date.UTC(2026, 10, 26, 13, 39, 5);

test('times are shown in the office time zone, in words each language expects', (t) => {
  t.is(formatWhen(at, 'ja', 'Asia/Tokyo'), '11月26日 22:39');
  t.is(formatWhen(at, 'en', 'Asia/Tokyo'), '26 Nov, 22:39');
  t.is(formatStamp(at, 'ja', 'Asia/Tokyo'), '2026/11/26 22:39:05');
});

test('a bad timestamp prints a dash instead of throwing', (t) => {
  t.is(formatWhen(Number.NaN, 'ja', 'Asia/Tokyo'), '-');
  t.is(formatWhen(1e20, 'en', 'Asia/Tokyo'), '-');
  t.is(formatStamp(Infinity, 'en', 'Asia/Tokyo'), '-');
});

test('a zone the box\'s tz database does not have prints the time in UTC, marked in plain words, instead of failing the page', (t) => {
  t.is(formatWhen(at, 'en', 'Mars/Olympus_Mons'), '26 Nov, 13:39 (UTC)');
  t.is(formatWhen(at, 'ja', 'Mars/Olympus_Mons'), '11月26日 13:39（世界標準時）');
  t.is(formatStamp(at, 'ja', 'Mars/Olympus_Mons'), '2026/11/26 13:39:05（世界標準時）');
});

test('the page writes dates exactly as ICU writes them for ja-JP and en-GB, in any zone', (t) => {
  const zones = ['Asia/Tokyo', 'Europe/London', 'America/St_Johns', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC', 'Japan'];
  const whenOpts = (lang: 'ja' | 'en'): Intl.DateTimeFormatOptions => ({ month: lang === 'ja' ? 'long' : 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const stampOpts: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
  let n = 0;
  for (const timeZone of zones) {
    for (const lang of ['ja', 'en'] as const) {
      const locale = lang === 'ja' ? 'ja-JP' : 'en-GB';
      const when = new Intl.DateTimeFormat(locale, { ...whenOpts(lang), timeZone });
      const stamp = new Intl.DateTimeFormat(locale, { ...stampOpts, timeZone });
      // every 3 days, 5 hours and 17 s from 1995 to 2045: every month, hour and minute
      for (let ms = Date.UTC(1995, 0, 1); ms < Date.UTC(2045, 0, 1); ms += ((3 * 24 + 5) * 3600 + 17) * 1000) {
        if (formatWhen(ms, lang, timeZone) !== when.format(ms) || formatStamp(ms, lang, timeZone) !== stamp.format(ms)) {
          t.fail(`${timeZone} ${lang} ${new Date(ms).toISOString()}: ${formatWhen(ms, lang, timeZone)} | ${formatStamp(ms, lang, timeZone)} against ICU's ${when.format(ms)} | ${stamp.format(ms)}`);
          return;
        }
        n++;
      }
    }
  }
  t.log(`${n} instants agree`);
  t.pass();
});

test('a day label is written as ICU writes month and day', (t) => {
  for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 86_400_000) {
    const day = new Date(ms).toISOString().slice(0, 10);
    t.is(formatDay(day, 'ja'), new Intl.DateTimeFormat('ja-JP', { timeZone: 'UTC', month: 'numeric', day: 'numeric' }).format(ms));
    t.is(formatDay(day, 'en'), new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', month: 'numeric', day: 'numeric' }).format(ms));
  }
  t.is(formatDay('not a day', 'en'), 'not a day');
});
