import test from 'ava';
import { RetriedStart } from '../../../firmware/src/sensors/retriedStart.js';
import { waitFor } from '../../lab/poll.js';

/** A service that fails its first `failures` starts, with the conditions and log it gets. */
function world(failures: number, opts: { describe?: boolean; final?: boolean } = {}) {
  const conditions: Array<[string, boolean, string | undefined]> = [];
  const errors: string[] = [];
  const stopped: number[] = [];
  let starts = 0;
  const r = new RetriedStart<number>({
    id: 'svc',
    start: async () => {
      starts++;
      if (starts <= failures) throw Object.assign(new Error(`busy ${starts}`), opts.final ? { final: true } : {});
      return starts;
    },
    stop: (n) => void stopped.push(n),
    ...(opts.describe ? { describe: (n: number) => `running #${n}` } : {}),
    final: (e) => (e as { final?: boolean }).final === true,
    conditions: { set: (id, ok, detail) => void conditions.push([id, ok, detail]) },
    log: { error: (m) => void errors.push(m) },
    backoff: { initialMs: 5, maxMs: 5, factor: 1 },
  });
  return { r, conditions, errors, stopped, starts: () => starts };
}

test('a service that cannot start is said and tried again until it runs; its detail once it does', async (t) => {
  const w = world(2, { describe: true });
  await w.r.start();
  t.is(w.r.current(), null);
  t.deepEqual(w.conditions[0], ['svc', false, 'cannot start: busy 1; trying again in 0 s']);
  await waitFor(() => w.r.current() !== null, { what: 'started', timeoutMs: 5000 });
  t.is(w.starts(), 3);
  t.deepEqual(w.conditions.at(-1), ['svc', true, 'running #3']);
  t.like(w.r.status(), { state: 'running', attempts: 3, failures: 2, lastError: null });
  t.is(w.errors.length, 2);
  await w.r.stop();
  t.deepEqual(w.stopped, [3]);
});

test('without describe, a started service keeps its own condition (a supervised child says when it runs)', async (t) => {
  const w = world(1);
  await w.r.start();
  await waitFor(() => w.r.current() !== null, { what: 'started', timeoutMs: 5000 });
  t.deepEqual(w.conditions.map(([, ok]) => ok), [false], 'only the failure was said here');
  await w.r.stop();
});

test('a final failure is said without a retry', async (t) => {
  const w = world(5, { final: true });
  await w.r.start();
  await new Promise((r) => setTimeout(r, 50)); // ten backoff periods: nothing may follow
  t.is(w.starts(), 1);
  t.deepEqual(w.conditions, [['svc', false, 'cannot start: busy 1']]);
  t.is(w.r.status().state, 'stopped');
});

test('stop ends the retries; a start still under way is stopped once it resolves', async (t) => {
  const w = world(1000);
  await w.r.start();
  await w.r.stop();
  const n = w.starts();
  await new Promise((r) => setTimeout(r, 50));
  t.is(w.starts(), n, 'no start after stop');

  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const stopped: number[] = [];
  const slow = new RetriedStart<number>({
    id: 'slow', start: async () => { await gate; return 7; }, stop: (s) => void stopped.push(s),
    conditions: { set: () => {} }, log: { error: () => {} },
  });
  const starting = slow.start();
  const stopping = slow.stop();
  release();
  await Promise.all([starting, stopping]);
  t.deepEqual(stopped, [7]);
  t.is(slow.current(), null);
});
