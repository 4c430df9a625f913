// Leftover children after kill -9 of their parent: only the ones recorded with pid and start
// time are ended, with their process group; an unrelated process is never touched.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { liveGroupMembers } from '../../../firmware/src/sensors/supervisor.js';
import { CHILDREN_DIR, parseStartTime, procStartTime, stillOurs } from '../../../firmware/src/sys/childRecords.js';
import { prepareStateDir } from '../../../firmware/src/app/stateDir.js';
import { waitFor } from '../../lab/poll.js';

const FIX = fileURLToPath(new URL('../../fixtures/supervisor/', import.meta.url));
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

test('start time is field 22 of /proc/PID/stat, also when comm holds spaces and parens', (t) => {
  const f = Array.from({ length: 50 }, (_, i) => String(i + 3)); // fields 3..52
  t.is(parseStartTime(`123 (a b) c)) ${f.join(' ')}`), '22');
  t.is(parseStartTime('garbage'), null);
  t.is(typeof procStartTime(process.pid), 'string');
  t.is(procStartTime(2 ** 22 + 7), null);
});

test('a record whose pid now has another start time (pid reused) is not ours', (t) => {
  const mine = procStartTime(process.pid)!;
  const recs = [
    { id: 'a', pid: process.pid, startTime: mine, argv0: 'x' },
    { id: 'b', pid: process.pid, startTime: `${Number(mine) + 1}`, argv0: 'x' },
    { id: 'c', pid: 1, startTime: procStartTime(1) ?? '0', argv0: 'init' },
  ];
  t.deepEqual(stillOurs(recs, procStartTime).map((r) => r.id), ['a']);
});

test('after kill -9 of its parent, a recorded child and its group are ended at the next start; an unrelated process lives', async (t) => {
  const state = mkdtempSync(join(tmpdir(), 'utm-children-'));
  const bystander = spawn('sleep', ['600'], { stdio: 'ignore' });
  const parent = spawn(process.execPath, ['--import=tsx', join(FIX, 'recordedParent.ts'), join(FIX, 'child.mjs'), state], { stdio: ['ignore', 'pipe', 'inherit'] });
  let childPid = 0;
  t.teardown(() => {
    for (const p of [parent.pid, bystander.pid, childPid ? -childPid : 0]) {
      try { if (p) process.kill(p, 'SIGKILL'); } catch { /* already gone */ }
    }
    rmSync(state, { recursive: true, force: true });
  });
  let out = '';
  parent.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  childPid = Number((await waitFor(() => /pid (\d+)/.exec(out), { timeoutMs: 20_000, what: 'child ready' }))[1]);
  t.is(readdirSync(join(state, CHILDREN_DIR)).length, 1);
  // a forged record of the bystander with a wrong start time must not get it killed
  writeFileSync(join(state, CHILDREN_DIR, 'forged.json'), JSON.stringify({ id: 'forged', pid: bystander.pid, startTime: '1', argv0: 'sleep' }));
  parent.kill('SIGKILL');
  await new Promise((r) => parent.once('exit', r));
  t.true(liveGroupMembers(childPid).length >= 2, 'child and grandchild outlive the parent');
  const report = await prepareStateDir(state, quiet);
  t.deepEqual(report.leftoversEnded.map((r) => r.pid), [childPid]);
  await waitFor(() => liveGroupMembers(childPid).length === 0, { timeoutMs: 5000, what: 'leftover group gone' });
  t.is(procStartTime(bystander.pid!) !== null, true, 'the unrelated process still runs');
  t.throws(() => readdirSync(join(state, CHILDREN_DIR)), { code: 'ENOENT' });
});
