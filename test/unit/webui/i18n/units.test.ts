import test from 'ava';
import { atLeast, bytes, count, every, machines, minutes, places, times } from '../../../../webui/src/i18n/units.js';

test('periods read as a person says them, in both languages', (t) => {
  t.is(every(1614, 'ja'), '約27分ごと');
  t.is(every(1614, 'en'), 'about every 27 minutes');
  t.is(every(300, 'ja'), '約5分ごと');
  t.is(every(60, 'en'), 'about every 60 seconds');
  t.is(every(45, 'ja'), '約45秒ごと');
  t.is(every(3600, 'en'), 'about every 60 minutes');
  t.is(every(5400, 'en'), 'about every 1.5 hours');
  t.is(every(3600 * 3, 'en'), 'about every 3 hours');
  t.is(every(2 * 3600 + 360, 'ja'), '約2.1時間ごと');
  t.is(every(86400, 'ja'), '約24時間ごと');
  t.is(every(0, 'ja'), undefined);
  t.is(every(Number.NaN, 'en'), undefined);
});

test('places, machines and times count with the right word', (t) => {
  t.is(places(30, 'ja'), '30か所');
  t.is(places(1, 'ja'), '1か所');
  t.is(places(1, 'en', 'server'), '1 server');
  t.is(places(30, 'en', 'server'), '30 servers');
  t.is(machines(1200, 'ja'), '1,200台');
  t.is(times(1, 'en'), 'once');
  t.is(times(2, 'en'), 'twice');
  t.is(times(288, 'ja'), '288回');
  t.is(count(1234567), '1,234,567');
  for (const n of [0, 7, 999, 1000, 999_999.6, -1234, 2 ** 53 + 2]) t.is(count(n), Math.round(n).toLocaleString('en-US'), String(n));
});

test('data sizes are SI with one decimal below ten', (t) => {
  t.is(bytes(2_140_000_000, 'ja'), '2.1 GB');
  t.is(bytes(2_140_000_000, 'en'), '2.1 GB');
  t.is(bytes(43_800_000, 'en'), '44 MB');
  t.is(bytes(1_500_000_000, 'ja'), '1.5 GB');
  t.is(bytes(2_000_000, 'ja'), '2 MB');
  t.is(bytes(900, 'ja'), '900バイト');
  t.is(bytes(1, 'en'), '1 byte');
  t.is(bytes(-5, 'en'), undefined);
});

test('durations are lower bounds with the right number agreement', (t) => {
  t.is(atLeast(3600, 'en'), 'more than 1 hour');
  t.is(atLeast(3600, 'ja'), '1時間以上');
  t.is(atLeast(3 * 3600 + 1800, 'en'), 'more than 3 hours');
  t.is(atLeast(25 * 60, 'ja'), '25分以上');
  t.is(atLeast(3 * 86400, 'en'), 'more than 3 days');
  t.is(minutes(10, 'ja'), '10分間');
  t.is(minutes(60, 'en'), '60 minutes');
  t.is(minutes(120, 'en'), '2 hours');
  t.is(minutes(1, 'en'), '1 minute');
});
