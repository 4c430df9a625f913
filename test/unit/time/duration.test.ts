import test from 'ava';
import { DurationError, parseDuration } from '../../../firmware/src/time/duration.js';
import { durationArg, UsageError } from '../../../firmware/src/cli/args.js';

test('one duration reader: units, plain seconds, limits', (t) => {
  t.is(parseDuration('90s'), 90_000);
  t.is(parseDuration('15m'), 900_000);
  t.is(parseDuration('24h'), 86_400_000);
  t.is(parseDuration('7d'), 7 * 86_400_000);
  t.is(parseDuration('90'), 90_000); // `block add --for 90` and `mute add --for 90` mean the same: 90 s
  for (const bad of ['', '0s', '1.5h', '-3s', '24 h', '1w', '400d', '01h', 'h']) t.throws(() => parseDuration(bad), { instanceOf: DurationError }, bad);
});

test('utmctl options read durations through the same rules and report a usage error', (t) => {
  t.is(durationArg('90'), 90_000);
  t.is(durationArg('30m'), 1_800_000);
  const e = t.throws(() => durationArg('1w'), { instanceOf: UsageError });
  t.true(e.cause instanceof DurationError);
});
