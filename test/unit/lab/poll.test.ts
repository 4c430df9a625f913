// waitFor returns the first truthy value, treats exceptions as "not yet", and times out.
import test from 'ava';
import { PollTimeoutError, waitFor } from '../../lab/poll.js';

test('returns the first value that is not undefined/null/false', async (t) => {
  let n = 0;
  const v = await waitFor(() => (++n >= 3 ? `try ${n}` : false), { intervalMs: 1 });
  t.is(v, 'try 3');
});

test('times out with the last error as cause', async (t) => {
  const boom = new Error('still broken');
  const err = await t.throwsAsync(waitFor(() => {
    throw boom;
  }, { timeoutMs: 30, intervalMs: 5, what: 'the impossible' }), { instanceOf: PollTimeoutError });
  t.is(err?.cause, boom);
  t.is(err?.what, 'the impossible');
});
