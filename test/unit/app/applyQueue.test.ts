import test from 'ava';
import { ApplyQueue } from '../../../firmware/src/app/applyQueue.js';

test('applies never overlap, and a request joins a run that has not started yet', async (t) => {
  const q = new ApplyQueue();
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const job = async (): Promise<boolean> => {
    running++;
    runs++;
    maxRunning = Math.max(maxRunning, running);
    await gate;
    running--;
    return true;
  };
  const first = q.request(job); // starts once the tail resolves
  await Promise.resolve();
  await Promise.resolve();
  const second = q.request(job); // waits behind the first
  const third = q.request(job); // joins the second: it renders the state as of its start
  t.is(second, third);
  release();
  t.deepEqual(await Promise.all([first, second, third]), [true, true, true]);
  t.is(maxRunning, 1);
  t.is(runs, 2);
});

test('a failed run does not stop the next one', async (t) => {
  const q = new ApplyQueue();
  const bad = q.request(async () => { throw new Error('nft failed'); });
  await t.throwsAsync(bad, { message: 'nft failed' });
  t.true(await q.request(async () => true));
});

/** A promise and the function that settles it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('an incremental change waits for a running full apply and is never joined with one', async (t) => {
  const q = new ApplyQueue();
  const log: string[] = [];
  const gate = deferred();
  const full = q.request(async () => {
    log.push('apply start');
    await gate.promise;
    log.push('apply end');
    return true;
  });
  await new Promise((r) => setImmediate(r));
  const change = q.exclusive(async () => {
    log.push('change');
    return 7;
  });
  const later = q.request(async () => {
    log.push('second apply');
    return true;
  });
  t.not(later, full, 'a request after the apply started does not join it');
  await new Promise((r) => setImmediate(r));
  t.deepEqual(log, ['apply start'], 'the change has not run while the apply holds the queue');
  gate.resolve();
  t.is(await change, 7);
  await later;
  t.deepEqual(log, ['apply start', 'apply end', 'change', 'second apply']);
  t.deepEqual(q.counts, { applies: 2, changes: 1 });
});

test('a change made inside a turn runs at once; a full apply requested inside one is refused', async (t) => {
  const q = new ApplyQueue();
  const inner = await q.request(async () => (await q.exclusive(async () => 'nested')) === 'nested');
  t.true(inner, 'the driver steps of an apply do not wait for the apply itself');
  await t.throwsAsync(q.exclusive(() => q.request(async () => true)), { name: 'ApplyQueueError' });
});

test('a timer a turn left behind is outside the turn once it ended', async (t) => {
  const q = new ApplyQueue();
  const order: string[] = [];
  let fromTimer: Promise<void> | undefined;
  await q.exclusive(async () => {
    setImmediate(() => (fromTimer = q.exclusive(async () => void order.push('from the timer'))));
  });
  const gate = deferred();
  const blocker = q.exclusive(async () => {
    await gate.promise;
    order.push('blocker');
  });
  await new Promise((r) => setImmediate(r));
  gate.resolve();
  await blocker;
  await fromTimer;
  t.deepEqual(order, ['blocker', 'from the timer'], 'the timer\'s change waited for its turn');
});
