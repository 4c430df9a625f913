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
