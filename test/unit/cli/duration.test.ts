import test from 'ava';
import { parseDuration } from '../../../firmware/src/cli/duration.js';
import { UsageError } from '../../../firmware/src/cli/args.js';

test('durations a technician types', (t) => {
  t.is(parseDuration('24h'), 86_400_000);
  t.is(parseDuration('30m'), 1_800_000);
  t.is(parseDuration('7d'), 604_800_000);
  for (const bad of ['', '24', 'h', '1w', '-1h', '1.5h']) t.throws(() => parseDuration(bad), { instanceOf: UsageError }, bad);
});
