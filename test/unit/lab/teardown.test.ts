// The teardown stack runs every step in reverse order, keeps going past failures and
// reports which steps failed.
import test from 'ava';
import { Teardown, TeardownError } from '../../lab/teardown.js';

test('steps run last-in first-out, all of them, even after a failure', async (t) => {
  const td = new Teardown();
  const ran: string[] = [];
  td.push('a', () => ran.push('a'));
  td.push('b', () => {
    ran.push('b');
    throw new Error('b broke');
  });
  td.push('c', async () => {
    ran.push('c');
  });
  const failures = await td.run();
  t.deepEqual(ran, ['c', 'b', 'a']);
  t.deepEqual(failures.map((f) => f.step), ['b']);
});

test('runOrThrow names the failed steps; a second run does nothing again', async (t) => {
  const td = new Teardown();
  let count = 0;
  td.push('count', () => count++);
  td.push('bad', () => Promise.reject(new Error('nope')));
  const err = await t.throwsAsync(td.runOrThrow(), { instanceOf: TeardownError });
  t.deepEqual(err?.failures.map((f) => f.step), ['bad']);
  t.is((await td.run()).length, 1);
  t.is(count, 1);
});
