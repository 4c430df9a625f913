// The firmware's one poll loop: a slow run makes the next ticks skip (counted) instead of
// piling up; a failing run is counted and reported, and the loop goes on; runNow() joins a
// run under way; stop() ends the ticks.
import test from 'ava';
import { Poller } from '../../../firmware/src/time/poller.js';
import { waitFor } from '../../lab/poll.js';

test('a run still going when the next tick comes makes that tick skip; runs never overlap', async (t) => {
  let running = 0;
  let most = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const p = new Poller({
    everyMs: 2,
    run: async () => {
      running++;
      most = Math.max(most, running);
      await gate;
      running--;
    },
  });
  p.start(true);
  t.teardown(() => p.stop());
  await waitFor(() => p.counts.skipped >= 3, { what: 'ticks to skip while the first run waits' });
  t.is(p.counts.runs, 0);
  const joined = p.runNow();
  release();
  await joined;
  t.is(most, 1, 'never two runs at once');
  t.is(p.counts.runs, 1, 'runNow joined the run under way');
});

test('a failing run is counted and reported, and the loop goes on', async (t) => {
  const errors: unknown[] = [];
  let n = 0;
  const p = new Poller({
    everyMs: 2,
    run: () => {
      n++;
      if (n % 2 === 1) throw new Error(`run ${n} failed`);
    },
    onError: (e) => errors.push(e),
  });
  p.start();
  t.teardown(() => p.stop());
  await waitFor(() => p.counts.runs >= 2 && p.counts.failures >= 2, { what: 'runs and failures to alternate' });
  t.true(errors.every((e) => e instanceof Error && /failed/.test(e.message)));
  t.is(errors.length, p.counts.failures);
});

test('stop ends the ticks; start twice keeps one timer', async (t) => {
  let n = 0;
  const p = new Poller({ everyMs: 2, run: () => void n++ });
  p.start();
  p.start();
  await waitFor(() => n >= 3, { what: 'a few runs' });
  p.stop();
  t.false(p.started);
  await p.idle();
  const after = n;
  await new Promise((r) => setTimeout(r, 30));
  t.is(n, after, 'no run after stop');
});
