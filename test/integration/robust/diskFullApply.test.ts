// The state dir full while the ruleset must change, with nft's documents on their own tmpfs
// (RUNTIME_DIRECTORY, as the unit gives utmd): the kernel change must not wait for flash.
//  - router: the ISP router is plugged in only while the disk is full. The full apply that
//    follows the new port roles goes through (the office gets a lease and the internet); the
//    last-good on disk stays the older, whole one, and is replaced once space returns.
//  - bridge: a feed update arrives while the disk is full (its status row and snapshot cannot
//    be written); the new address is blocked (one nft transaction, its document on the tmpfs),
//    no document is left there, and the snapshot is saved once space returns.
//  - router and bridge: utmd killed (kill -9) and started again with the disk still full: the
//    office is served (forwarded, blocked, in router mode a new lease), ulogd2 runs, the page
//    and utmctl answer.
import test, { type ExecutionContext } from 'ava';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fillUp } from './helpers.js';
import { cond, feedUpdateWhileBroken, killAndRestart, nftDocumentsLeft, plugRouterWhileBroken, waitCond } from './brokenDisk.js';
import { join } from 'node:path';
import { createLab, type Lab } from '../../lab/lab.js';
import { waitFor } from '../../lab/poll.js';
import { run } from '../../lab/run.js';
import { status } from '../ports/helpers.js';
import { feedLab, refresh } from '../blocklist/helpers.js';

/** A state dir and a runtime dir, each its own small tmpfs under the lab's dir (unmounted in teardown). */
async function dirs(t: ExecutionContext, lab: Lab): Promise<{ stateDir: string; runtimeDir: string; fill: () => void; free: () => void }> {
  const stateDir = join(lab.dir, 'state');
  const runtimeDir = join(lab.dir, 'run');
  for (const [dir, size] of [[stateDir, '24m'], [runtimeDir, '8m']] as const) {
    mkdirSync(dir, { recursive: true });
    await run(['mount', '-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'utm-test-full', dir]);
    t.teardown(async () => { await run(['umount', '-l', dir]); });
  }
  const filler = join(stateDir, 'filler');
  return {
    stateDir, runtimeDir,
    fill: () => fillUp(filler),
    free: () => rmSync(filler, { force: true }),
  };
}

test.serial('router: the ISP router plugged in while the state dir is full → the new ruleset applies, the office is served; last-good replaced once space returns', async (t) => {
  let before = '';
  const lastGoodPath = (d: { stateDir: string }): string => join(d.stateDir, 'ruleset.last-good.json');
  const { d, utmd } = await plugRouterWhileBroken(t, 'box-full-apply-r', dirs, async (dd, u) => {
    dd.fill();
    await waitCond(u, 'disk', false);
  }, (dd) => { before = readFileSync(lastGoodPath(dd), 'utf8'); });
  const ruleset = await cond(utmd, 'ruleset');
  t.true(ruleset?.ok, `the ruleset is applied: ${ruleset?.detail}`);
  t.regex(ruleset?.detail ?? '', /not saved/, 'and says that it is not saved');
  t.false((await waitCond(utmd, 'storage', false)).ok, 'the failed save is a storage failure');
  t.is(readFileSync(lastGoodPath(d), 'utf8'), before, 'the older last-good is still whole on disk');
  t.deepEqual(nftDocumentsLeft(d.runtimeDir), [], 'no document left on the tmpfs');

  // space returns: the applied ruleset is saved without a restart
  d.free();
  await waitCond(utmd, 'storage', true);
  await waitFor(async () => readFileSync(lastGoodPath(d), 'utf8') !== before, { what: 'the new last-good saved', timeoutMs: 20_000 });
  const saved = JSON.parse(readFileSync(lastGoodPath(d), 'utf8')) as { nftables: unknown[] };
  t.true(saved.nftables.length > 0);
  t.true((await cond(utmd, 'ruleset'))?.ok);
  t.notRegex((await cond(utmd, 'ruleset'))?.detail ?? '', /not saved/);
  t.true((await status(utmd)).conditions.find((c) => c.id === 'ports')?.ok);
  t.is(utmd.proc.exitStatus(), undefined);
});

test.serial('bridge: a feed update while the state dir is full is enforced (document on the tmpfs, none left behind)', async (t) => {
  const fl = await feedLab(t);
  const d = await dirs(t, fl.lab);
  const [X, Y] = ['203.0.113.61', '203.0.113.62'];
  const utmd = await feedUpdateWhileBroken(t, fl, d, async (u) => {
    d.fill();
    await waitCond(u, 'disk', false);
  }, [X, Y]);

  // space returns: the next refresh saves the list (the download is evaluated again: its
  // validators were not kept), and the feed is healthy again
  d.free();
  await waitCond(utmd, 'storage', true);
  const again = await refresh(utmd);
  t.not(again.find((x) => x.feedId === 'lab-c2')?.result, 'fault');
  t.true((await waitCond(utmd, 'feed:lab-c2', true)).ok);
  t.is((await refresh(utmd)).find((x) => x.feedId === 'lab-c2')?.result, 'unchanged', 'then unchanged downloads cost nothing again');
  t.is(await fl.probe(Y), 'timeout');
  t.is(utmd.proc.exitStatus(), undefined);
});

for (const mode of ['router', 'bridge'] as const) test.serial(`${mode}: utmd killed and started again while the state dir stays full → the office is served, the list enforced, the sensors run, the page and utmctl answer`, async (t) => {
  const lab = await createLab({ mode, lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const d = await dirs(t, lab);
  const { second } = await killAndRestart(t, lab, d, {
    mode, id: 'box-full-restart',
    breakDisk: async (first) => {
      d.fill();
      await waitCond(first, 'disk', false);
    },
  });
  t.false((await waitCond(second, 'disk', false)).ok, 'and the page says the disk is full');
  t.is(second.proc.exitStatus(), undefined);
});
