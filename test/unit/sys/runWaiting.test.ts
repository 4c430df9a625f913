// A program started ahead that waits for its input (sys/run.ts startWaiting): what a staged
// blocklist load's nft processes are (nft/fillProcesses.ts).
import test from 'ava';
import { execFile } from 'node:child_process';
import { RunError, startWaiting } from '../../../firmware/src/sys/run.js';

test('it runs only once told: go writes its stdin and settles as run does', async (t) => {
  const w = startWaiting(['/bin/sh', '-c', 'IFS= read -r x; echo "got $x"; echo oops >&2']);
  await new Promise((r) => setTimeout(r, 50));
  t.false(w.ended, 'still waiting for its line');
  const r = await w.go('hello\n');
  t.is(r.stdout, 'got hello\n');
  t.is(r.stderr, 'oops\n');
  t.true(w.ended);
});

test('a non-zero exit and a killed waiting process are RunErrors at go; nothing is unhandled before', async (t) => {
  const failing = startWaiting(['/bin/sh', '-c', 'read x; echo bad >&2; exit 3']);
  const e = await t.throwsAsync(failing.go('\n'), { instanceOf: RunError });
  t.is(e?.code, 3);
  t.regex(e?.message ?? '', /exited with 3: bad/);
  const killed = startWaiting(['/bin/sh', '-c', 'read x']);
  killed.kill();
  while (!killed.ended) await new Promise((r) => setTimeout(r, 10));
  await t.throwsAsync(killed.go('late\n'), { instanceOf: RunError });
  await t.throwsAsync(startWaiting(['/nonexistent/program']).go(''), { message: /cannot run/ });
});

test('the timeout counts from go, not from the start', async (t) => {
  const w = startWaiting(['/bin/sh', '-c', 'read x; echo ok'], { timeoutMs: 150 });
  await new Promise((r) => setTimeout(r, 300)); // longer than the timeout, still waiting
  t.is((await w.go('\n')).stdout, 'ok\n');
  const slow = startWaiting(['/bin/sh', '-c', 'read x; exec sleep 5'], { timeoutMs: 150 });
  await t.throwsAsync(slow.go('\n'), { message: /timed out after 150 ms/ });
});

test('a waiting process does not keep its parent alive, and ends with it', async (t) => {
  // a node process that starts one and returns: it exits at once; its child reads EOF and ends
  const script = `import('${new URL('../../../firmware/src/sys/run.ts', import.meta.url).href}').then((m) => { const w = m.startWaiting(['/bin/sh', '-c', 'read x || echo eof > /dev/null; sleep 0']); console.log('started'); void w; });`;
  const started = Date.now();
  const out = await new Promise<string>((resolve, reject) => execFile(process.execPath, ['--import=tsx', '-e', script], { timeout: 20_000 }, (err, stdout) => (err ? reject(new Error(err.message)) : resolve(stdout))));
  t.is(out.trim(), 'started');
  t.true(Date.now() - started < 20_000, 'the parent exited on its own');
});
