// nft processes started ahead of a staged load (nft/fillProcesses.ts): a waiting `sh` becomes
// the given program on the path it is told; killed ones are skipped; close ends them all.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { FillProcesses, goLine } from '../../../firmware/src/nft/fillProcesses.js';
import { run } from '../../../firmware/src/sys/run.js';
import { NftDriver } from '../../../firmware/src/nft/driver.js';

/** A stand-in for `nft -j`: prints its arguments (the launcher adds `-f PATH`). */
const ECHO = ['/bin/echo', 'nft', '-j'];

test('prepare starts as many as asked once; each taken one runs the program on its path', async (t) => {
  const f = new FillProcesses(ECHO, 2, 10_000);
  t.teardown(() => f.close());
  f.prepare();
  f.prepare(); // already two waiting: no more
  const a = f.take();
  const b = f.take();
  t.truthy(a);
  t.truthy(b);
  t.is(f.take(), null, 'two were started, not four');
  t.is((await a!.go(goLine('/run/utm/nft-1-1.json'))).stdout, 'nft -j -f /run/utm/nft-1-1.json\n');
  // the path is an argument, never shell text
  t.is((await b!.go(goLine('/tmp/a b;$(touch x)'))).stdout, 'nft -j -f /tmp/a b;$(touch x)\n');
});

test('a waiting process that was killed is not handed out; close ends the rest and starts none after', async (t) => {
  const marker = `utm-fill-test-${randomBytes(4).toString('hex')}`;
  const f = new FillProcesses(['/bin/echo', marker], 2, 10_000);
  f.prepare();
  const first = f.take()!;
  first.kill();
  while (!first.ended) await new Promise((r) => setTimeout(r, 10));
  f.prepare(); // one waits, one is started for the killed one
  t.is(await waiting(marker), 2);
  f.close();
  f.prepare();
  t.is(f.take(), null);
  for (let i = 0; i < 100 && (await waiting(marker)) > 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.is(await waiting(marker), 0, 'none left running');
});

/** How many processes have `marker` in their command line. */
async function waiting(marker: string): Promise<number> {
  const r = await run(['pgrep', '-fc', marker], { allowFailure: true });
  return Number(r.stdout.trim() || 0);
}

test('used: the replacements come later, not during the load', async (t) => {
  const f = new FillProcesses(ECHO, 1, 10_000, 100);
  t.teardown(() => f.close());
  f.prepare();
  const w = f.take()!;
  await w.go(goLine('/x'));
  f.used();
  f.prepare(); // a restock is due: nothing now
  t.is(f.take(), null);
  await new Promise((r) => setTimeout(r, 300));
  const again = f.take();
  t.truthy(again, 'restocked after the delay');
  again?.kill();
});

test('ones not used end after the idle time', async (t) => {
  const marker = `utm-fill-test-${randomBytes(4).toString('hex')}`;
  const f = new FillProcesses(['/bin/echo', marker], 2, 10_000, 100, 150);
  t.teardown(() => f.close());
  f.prepare();
  t.is(await waiting(marker), 2);
  for (let i = 0; i < 100 && (await waiting(marker)) > 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.is(await waiting(marker), 0);
  t.is(f.take(), null);
  f.prepare(); // the next refresh starts them again
  const again = f.take();
  t.truthy(again);
  again?.kill();
});

test('a fill whose document cannot be written ends the waiting process it took', async (t) => {
  const marker = `utm-fill-test-${randomBytes(4).toString('hex')}`;
  // no folder takes a file under /dev/null: the write fails before the process is told
  const driver = new NftDriver({ nft: ['/bin/echo', marker], lastGoodPath: '/dev/null/last-good.json', workDir: '/dev/null/work', tableName: 'utm', fillParts: 1, sessionMaxBytes: 0 });
  t.teardown(() => driver.close());
  driver.prepareFill();
  t.is(await waiting(marker), 1);
  await t.throwsAsync(driver.fill([() => Buffer.from('{"nftables":[]}')]));
  for (let i = 0; i < 100 && (await waiting(marker)) > 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.is(await waiting(marker), 0, 'not left waiting until utmd ends');
});
