import test from 'ava';
import { inWritableDir } from '../../../firmware/src/sys/writableDir.js';

const errno = (code: string): Error => Object.assign(new Error(`${code}: test`), { code });

test('the first dir when it takes the writes', async (t) => {
  const tried: string[] = [];
  t.is(await inWritableDir(['/run/a', '/var/b'], (d) => { tried.push(d); return d; }), '/run/a');
  t.deepEqual(tried, ['/run/a']);
});

test('a full or read-only dir gives way to the next, and says so', async (t) => {
  for (const code of ['ENOSPC', 'EROFS', 'EDQUOT']) {
    const skipped: string[] = [];
    const got = await inWritableDir(['/run/a', '/var/b'], async (d) => {
      if (d === '/run/a') throw errno(code);
      return Promise.resolve(d);
    }, (d, e) => skipped.push(`${d} ${(e as NodeJS.ErrnoException).code}`));
    t.is(got, '/var/b', code);
    t.deepEqual(skipped, [`/run/a ${code}`]);
  }
});

test('another error is thrown at once, and the last dir\'s storage error too', async (t) => {
  const tried: string[] = [];
  await t.throwsAsync(inWritableDir(['/a', '/b'], (d) => { tried.push(d); throw errno('EACCES'); }), { message: /EACCES/ });
  t.deepEqual(tried, ['/a'], 'EACCES is not a full disk: no second dir');
  await t.throwsAsync(inWritableDir(['/a', '/b'], () => { throw errno('ENOSPC'); }), { message: /ENOSPC/ });
});

test('the same dir twice is tried once', async (t) => {
  const tried: string[] = [];
  await t.throwsAsync(inWritableDir(['/same', '/same'], (d) => { tried.push(d); throw errno('ENOSPC'); }));
  t.deepEqual(tried, ['/same']);
  await t.throwsAsync(inWritableDir([], (d) => d), { message: /no dir/ });
});
