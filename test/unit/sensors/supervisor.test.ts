import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nextBackoff, Supervisor, type SupervisorHealth } from '../../../firmware/src/sensors/supervisor.js';
import { TRUNCATED_MARK } from '../../../firmware/src/sensors/lineSplitter.js';

const child = fileURLToPath(new URL('../../fixtures/supervisor/child.mjs', import.meta.url));

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met before deadline');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The first word of a process's command line ('' when it is gone). */
function argv0(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
  } catch {
    return '';
  }
}

/** Running (a zombie only waits to be reaped by init and counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false; // no /proc entry: the process is gone
  }
}

test('nextBackoff doubles up to the cap and starts over after a stable run', (t) => {
  const b = { initialMs: 100, maxMs: 1000, factor: 2 };
  t.deepEqual(nextBackoff(100, 5, 10_000, b), { delayMs: 100, nextMs: 200 });
  t.deepEqual(nextBackoff(800, 5, 10_000, b), { delayMs: 800, nextMs: 1000 });
  t.deepEqual(nextBackoff(1000, 5, 10_000, b), { delayMs: 1000, nextMs: 1000 });
  t.deepEqual(nextBackoff(1000, 10_000, 10_000, b), { delayMs: 100, nextMs: 200 });
});

test('a dying child is restarted with growing, capped delays and reported down', async (t) => {
  const health: SupervisorHealth[] = [];
  const s = new Supervisor({
    id: 'crasher', argv: [process.execPath, child, 'crash', '0'], now: Date.now,
    onHealth: (h) => health.push(h), backoff: { initialMs: 20, maxMs: 80, factor: 2 }, stableAfterMs: 60_000,
  });
  t.teardown(() => s.stop());
  s.start();
  await until(() => health.filter((h) => !h.ok).length >= 5);
  await s.stop();
  const downs = health.filter((h) => !h.ok);
  const delays = downs.map((h) => Number(/restart in (\d+) ms/.exec(h.detail)?.[1]));
  t.deepEqual(delays.slice(0, 5), [20, 40, 80, 80, 80]);
  t.true(downs.every((h) => h.detail.startsWith('exited code=3')));
  t.deepEqual(downs.slice(0, 5).map((h) => h.restarts), [0, 1, 2, 3, 4]);
  t.true(health.some((h) => h.ok), 'each run was reported up before it died');
});

test('readiness: ok only after the ready line', async (t) => {
  const health: SupervisorHealth[] = [];
  const lines: string[] = [];
  const s = new Supervisor({
    id: 'ready', argv: [process.execPath, child, 'forever'], now: Date.now,
    onHealth: (h) => health.push(h), onLine: (l) => lines.push(l), isReady: (l) => l === 'ready',
  });
  t.teardown(() => s.stop());
  s.start();
  await until(() => health.some((h) => h.ok));
  const firstOk = health.findIndex((h) => h.ok);
  t.true(lines.indexOf('ready') >= 0);
  t.is(health[firstOk]?.pid, s.pid());
  t.is(health.slice(0, firstOk).filter((h) => h.ok).length, 0);
});

for (const mode of ['forever', 'stubborn'] as const) {
  test(`stop() leaves no process behind (${mode} child with a grandchild)`, async (t) => {
    const lines: string[] = [];
    const s = new Supervisor({
      id: mode, argv: [process.execPath, child, mode], now: Date.now, onHealth: () => undefined,
      onLine: (l) => lines.push(l), stopTimeoutMs: 300,
    });
    t.teardown(() => s.stop());
    s.start();
    await until(() => lines.includes('ready'));
    const pid = s.pid();
    const grand = Number(lines.find((l) => l.startsWith('grandchild '))?.split(' ')[1]);
    t.true(pid !== undefined && alive(pid) && alive(grand));
    await s.stop();
    t.false(alive(pid as number));
    t.false(alive(grand));
    t.is(s.pid(), undefined);
  });
}

test('a program that cannot run is a reported condition, retried, and stoppable', async (t) => {
  const health: SupervisorHealth[] = [];
  const s = new Supervisor({
    id: 'missing', argv: ['/nonexistent/otasuke-sensor'], now: Date.now,
    onHealth: (h) => health.push(h), backoff: { initialMs: 10, maxMs: 20 },
  });
  s.start();
  await until(() => health.length >= 2);
  await s.stop();
  t.true(health.every((h) => !h.ok));
  t.regex(health[0]?.detail ?? '', /cannot run .*ENOENT/);
});

test('over-long output lines are cut and the stream continues', async (t) => {
  const lines: string[] = [];
  const s = new Supervisor({
    id: 'long', argv: [process.execPath, child, 'longline'], now: Date.now, onHealth: () => undefined,
    onLine: (l) => lines.push(l), maxLineLength: 100,
  });
  t.teardown(() => s.stop());
  s.start();
  await until(() => lines.includes('after'));
  const cut = lines.find((l) => l.startsWith('y'));
  t.is(cut, 'y'.repeat(100) + TRUNCATED_MARK);
});

test('killWithParent: the child dies with its supervising process', async (t) => {
  // A throwaway node process supervises `child.mjs forever`; SIGKILL it and the child must go.
  const { spawn } = await import('node:child_process');
  const sup = fileURLToPath(new URL('../../fixtures/supervisor/orphanParent.ts', import.meta.url));
  const parent = spawn(process.execPath, ['--import', 'tsx', sup, child], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => { parent.kill('SIGKILL'); });
  let out = '';
  parent.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const pid = await until(() => /^pid (\d+)$/m.exec(out) !== null, 20_000).then(() => Number(/^pid (\d+)$/m.exec(out)?.[1]));
  t.true(alive(pid));
  // The pid is reported at spawn, while it may still be setpriv: the parent-death signal is
  // set only when setpriv runs, just before it execs the child. Killing the parent before
  // that leaves an orphan no signal reaches (a utmd restart ends it through recordDir); that
  // window is not what this test is about, and under load it made the test fail now and then.
  await until(() => !/(^|\/)setpriv$/.test(argv0(pid)), 20_000);
  parent.kill('SIGKILL');
  await until(() => !alive(pid));
  t.false(alive(pid));
});
