import test from 'ava';
import { brkHeapBlocked, DRAW_ENV, handOver, heapNote, heapPlan, MAX_DRAWS, parentGone, takeDrawn, type StartFacts } from '../../../firmware/src/sys/heapRoom.js';

// Maps of two real processes on this machine (node 20.20.2, the bundle loaded under the unit's
// flags, 2026-12-07): one of 300 starts whose heap ended on a 256 KiB boundary, where V8 put its
// code range right on the heap's end (RSS 79.6 MB), and an ordinary one (69 MB).
const BLOCKED = `00400000-00b6f000 r--p 00000000 fe:00 260689                             /usr/bin/node
0563e000-0565d000 rw-p 0523d000 fe:00 260689                             /usr/bin/node
0565d000-05689000 rw-p 00000000 00:00 0
197e7000-19a00000 rw-p 00000000 00:00 0                                  [heap]
19a00000-19a02000 rw-p 00000000 00:00 0
19a02000-19a03000 ---p 00000000 00:00 0
19a03000-19a3f000 rwxp 00000000 00:00 0
15a9d00c0000-15a9d031f000 rw-p 00000000 00:00 0
7f288e743000-7f288eb34000 rw-p 00000000 00:00 0
`;
const ROOMY = `00400000-00b6f000 r--p 00000000 fe:00 260689                             /usr/bin/node
0563e000-0565d000 rw-p 0523d000 fe:00 260689                             /usr/bin/node
0565d000-05689000 rw-p 00000000 00:00 0
2a160000-2a424000 rw-p 00000000 00:00 0                                  [heap]
1c6a6240000-1c6a6280000 rw-p 00000000 00:00 0
7f649c000000-7f649c002000 rw-p 00000000 00:00 0
7f649c003000-7f649c03f000 rwxp 00000000 00:00 0
`;

test('brkHeapBlocked: a mapping that begins where the heap ends, and only that', (t) => {
  t.true(brkHeapBlocked(BLOCKED));
  t.false(brkHeapBlocked(ROOMY));
  t.false(brkHeapBlocked(BLOCKED.replace('197e7000-19a00000', '197e7000-199ff000')), 'a page between the heap and the code range is room');
  t.false(brkHeapBlocked(BLOCKED.replace('[heap]', '')), 'no heap (nothing allocated by brk yet): nothing to say');
  t.false(brkHeapBlocked(''));
  // the order of the lines does not matter
  t.true(brkHeapBlocked(BLOCKED.split('\n').reverse().join('\n')));
});

test('heapNote: one line for the journal when the heap cannot grow, nothing otherwise', (t) => {
  t.regex(heapNote(BLOCKED) ?? '', /^utmd: this process's malloc heap cannot grow .*\n$/);
  t.is(heapNote(ROOMY), undefined);
  t.is(heapNote(''), undefined);
});

/** A start as systemd gives it to utmd.service (its flags, environment and watchdog). */
function facts(maps: string, over: Partial<StartFacts> = {}): StartFacts {
  return {
    maps,
    env: { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_PID: '4242', WATCHDOG_USEC: '90000000', GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=524288', INVOCATION_ID: 'abc' },
    execPath: '/opt/otasuke-utm/node/bin/node',
    execArgv: ['--max-old-space-size=192', '--expose-gc'],
    argv: ['/opt/otasuke-utm/node/bin/node', '/opt/otasuke-utm/firmware/bin/utmd', '--state-dir', '/var/lib/otasuke-utm'],
    pid: 4242,
    drawn: undefined,
    ...over,
  };
}

test('heapPlan: a blocked start under systemd hands over, with its flags, arguments and environment, but not the watchdog PID', (t) => {
  const p = heapPlan(facts(BLOCKED));
  if (p.kind !== 'handOver') return t.fail(`a hand-over, not ${p.kind}`);
  t.deepEqual(p.plan.argv, ['/opt/otasuke-utm/node/bin/node', '--max-old-space-size=192', '--expose-gc', '/opt/otasuke-utm/firmware/bin/utmd', '--state-dir', '/var/lib/otasuke-utm']);
  t.is(p.plan.env.GLIBC_TUNABLES, 'glibc.malloc.mmap_threshold=524288', 'the fresh process allocates as the unit says');
  t.is(p.plan.env.WATCHDOG_USEC, '90000000');
  t.is(p.plan.env.WATCHDOG_PID, undefined, 'systemd named the old process; the pings come from the new one');
  t.is(p.plan.env.NOTIFY_SOCKET, '/run/systemd/notify');
  t.is(p.plan.env[DRAW_ENV], '1:4242', 'first draw, and the parent to wait for');
  t.is(p.plan.draw, 1);
});

test('heapPlan: roomy starts run; blocked ones outside systemd, or after the last draw, run and say so', (t) => {
  t.is(heapPlan(facts(ROOMY)).kind, 'run');
  t.is(heapPlan(facts(ROOMY, { drawn: { draw: 1, parent: 7 } })).kind, 'run');
  const outside = heapPlan(facts(BLOCKED, { env: { GLIBC_TUNABLES: 'x' } }));
  t.is(outside.kind, 'note', 'no NOTIFY_SOCKET: nobody would follow a new main PID');
  t.is(heapPlan(facts(BLOCKED, { env: { NOTIFY_SOCKET: '' } })).kind, 'note');
  const second = heapPlan(facts(BLOCKED, { drawn: { draw: MAX_DRAWS - 1, parent: 7 } }));
  t.is(second.kind, 'handOver');
  if (second.kind === 'handOver') t.is(second.plan.env[DRAW_ENV], `${MAX_DRAWS}:4242`);
  const last = heapPlan(facts(BLOCKED, { drawn: { draw: MAX_DRAWS, parent: 7 } }));
  t.is(last.kind, 'note', 'a third blocked start in a row keeps running');
  if (last.kind === 'note') t.regex(last.line, /cannot grow/);
});

test('takeDrawn: reads the mark and removes it from the environment; a mark that does not parse is a plain start', (t) => {
  const env: NodeJS.ProcessEnv = { [DRAW_ENV]: '2:1234', PATH: '/bin' };
  t.deepEqual(takeDrawn(env), { draw: 2, parent: 1234 });
  t.deepEqual(env, { PATH: '/bin' }, 'no child of utmd inherits it');
  for (const bad of ['', '0:12', '1:0', '1:1', '1:-3', 'x', '1:12:3', '10:12', '1:12345678901', ' 1:12']) {
    const e: NodeJS.ProcessEnv = { [DRAW_ENV]: bad };
    t.is(takeDrawn(e), undefined, JSON.stringify(bad));
    t.false(DRAW_ENV in e);
  }
  t.is(takeDrawn({}), undefined);
});

test('parentGone: waits while the parent is there, resolves once it changed; gives up after maxMs', async (t) => {
  let ppid = 100;
  setTimeout(() => { ppid = 1; }, 60);
  t.true(await parentGone(100, 5000, () => ppid));
  t.true(await parentGone(100, 5000, () => 1), 'already gone');
  t.false(await parentGone(100, 80, () => 100));
});

/** A stand-in for the fresh utmd: lives until killed (the lab test runs utmd itself). */
const CHILD = 'setInterval(() => {}, 1000);';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('handOver: a real fresh process is started and named to systemd; when systemd does not take it, it is killed and this one carries on', async (t) => {
  const plan = { argv: [process.execPath, '-e', CHILD], env: { ...process.env, [DRAW_ENV]: `1:${process.pid}` }, draw: 1 };
  const named: number[] = [];
  const lines: string[] = [];
  t.true(await handOver(plan, async (pid) => { named.push(pid); }, (l) => lines.push(l)));
  const child = named[0];
  if (child === undefined) return t.fail('no PID named');
  t.true(alive(child), 'the fresh process runs');
  t.regex(lines.join(''), new RegExp(`handing over to a fresh process \\(PID ${child}, draw 1 of ${MAX_DRAWS}\\)`));
  process.kill(child, 'SIGKILL');

  const refused: number[] = [];
  const lines2: string[] = [];
  t.false(await handOver(plan, async (pid) => { refused.push(pid); throw new Error('systemd-notify: exit 1'); }, (l) => lines2.push(l), 4242));
  const orphan = refused[0];
  if (orphan === undefined) return t.fail('no PID named');
  t.is(refused[1], 4242, 'this process names itself the main PID again (a timed-out notify may have been processed)');
  // killed with SIGKILL: gone within moments (its zombie is reaped by node)
  for (let i = 0; i < 100 && alive(orphan); i++) await new Promise((r) => setTimeout(r, 20));
  t.false(alive(orphan), 'the fresh process does not outlive a refused hand-over');
  t.regex(lines2.join(''), /could not hand over to a fresh process \(systemd-notify: exit 1\); carrying on/);

  t.false(await handOver({ ...plan, argv: ['/nonexistent/node'] }, async () => { t.fail('no PID to name'); }, () => undefined), 'a node that cannot start: carry on');
});

test('handOver: a fresh process that died before systemd took it is no hand-over (systemd refuses a PID that is gone, silently)', async (t) => {
  const plan = { argv: [process.execPath, '-e', 'process.exit(3)'], env: { ...process.env }, draw: 1 };
  const named: number[] = [];
  const lines: string[] = [];
  const took = await handOver(plan, async (pid) => {
    named.push(pid);
    // systemd-notify takes a moment; the fresh process has ended by the time it returns
    for (let i = 0; i < 250 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  }, (l) => lines.push(l), 4242);
  t.false(took, 'this process carries on');
  t.is(named[1], 4242, 'and names itself the main PID again');
  t.regex(lines.join(''), /could not hand over to a fresh process \(the fresh process ended \(3\)\); carrying on/);
});
