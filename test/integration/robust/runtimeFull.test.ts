// The runtime dir full: the unit's RuntimeDirectory lives on /run, a small tmpfs that every
// service of the box shares, so another one can fill it. utmd keeps there what it hands its
// children (nft's documents, dnsmasq's and ulogd2's configs), and none of that may cut the
// office off:
//  - router and bridge: /run already full when utmd starts (a reboot does not empty it when
//    what fills it comes back with the boot): the office is forwarded, the listed address
//    blocked, ulogd2 runs, in router mode a new office PC gets a lease, the page and utmctl
//    answer, and the box says its runtime dir is full (the `runtime-dir` condition: the
//    technician and the centre hear of it; no alert on the office's page);
//  - router: /run fills while utmd runs, then the ISP router is plugged in: the new port
//    roles' ruleset applies (its document beside last-good), dnsmasq starts for the office.
import test, { type ExecutionContext } from 'ava';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fillUp } from './helpers.js';
import { cond, plugRouterWhileBroken, servedFromStart, waitCond } from './brokenDisk.js';
import { createLab, type Lab } from '../../lab/lab.js';
import { run } from '../../lab/run.js';

/** A small tmpfs as /run (under the lab's dir), the unit's runtime dir in it, and a filler
 *  beside it (another service's file: emptying our runtime dir does not free it). */
async function runFs(t: ExecutionContext, lab: Lab): Promise<{ stateDir: string; runtimeDir: string; fill: () => void; free: () => void }> {
  const fs = join(lab.dir, 'runfs');
  mkdirSync(fs, { recursive: true });
  await run(['mount', '-t', 'tmpfs', '-o', 'size=8m,mode=0755', 'utm-test-run', fs]);
  t.teardown(async () => { await run(['umount', '-l', fs]); });
  const runtimeDir = join(fs, 'otasuke-utm');
  mkdirSync(runtimeDir, { mode: 0o700 });
  const filler = join(fs, 'filler');
  return { stateDir: join(lab.dir, 'state'), runtimeDir, fill: () => fillUp(filler), free: () => rmSync(filler, { force: true }) };
}

for (const mode of ['router', 'bridge'] as const) test.serial(`${mode}: /run full before utmd starts → the office is served, the list enforced, the sensors run, the page and utmctl answer`, async (t) => {
  const lab = await createLab({ mode, lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const d = await runFs(t, lab);
  d.fill();
  const utmd = await servedFromStart(t, lab, d, mode, `box-run-full-${mode}`);
  t.true((await cond(utmd, 'ruleset'))?.ok, 'the ruleset is applied');
  t.regex((await waitCond(utmd, 'runtime-dir', false)).detail ?? '', /0 MB free in the runtime dir/, 'the technician and the centre hear of it');
  t.false((JSON.parse((await utmd.ctl(['alerts', '--json'])).stdout) as Array<{ kind: string }>).some((a) => a.kind === 'storage_failed' || a.kind === 'disk_low'),
    'the office is not alarmed: its box goes on');
  t.is(utmd.proc.exitStatus(), undefined);
});

test.serial('router: /run fills while utmd runs, then the ISP router is plugged in → the new ruleset applies, the office gets a lease and the internet', async (t) => {
  const { d, utmd } = await plugRouterWhileBroken(t, 'box-run-full-plug', runFs, async (dd, u) => {
    dd.fill();
    await waitCond(u, 'runtime-dir', false);
  });
  t.true((await cond(utmd, 'ruleset'))?.ok, 'the ruleset is applied');
  t.deepEqual(readdirSync(d.stateDir).filter((f) => /^nft-.*\.json$/.test(f)), [], 'no document left in the state dir');
  d.free();
  await waitCond(utmd, 'runtime-dir', true);
  t.is(utmd.proc.exitStatus(), undefined);
});
