import test from 'ava';
import { formatStamp, formatWhen } from '../../../../webui/src/views/format.js';

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

test('a zone this node\'s ICU does not know prints the time in UTC, marked in plain words, instead of failing the page', (t) => {
  t.is(formatWhen(at, 'en', 'Mars/Olympus_Mons'), '26 Nov, 13:39 (UTC)');
  t.is(formatWhen(at, 'ja', 'Mars/Olympus_Mons'), '11月26日 13:39（世界標準時）');
  t.is(formatStamp(at, 'ja', 'Mars/Olympus_Mons'), '2026/11/26 13:39:05（世界標準時）');
});
