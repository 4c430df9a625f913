// With every file descriptor in use (a flood of connections did that to utmd), running a
// program is an error the caller handles, never a crash of the process.
import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run, RunError } from '../../../firmware/src/sys/run.js';

const FIX = fileURLToPath(new URL('../../fixtures/sys/emfile.ts', import.meta.url));

test('a program that does not exist is a RunError', async (t) => {
  const e = await t.throwsAsync(run(['/nonexistent/program']), { instanceOf: RunError });
  t.regex(e?.message ?? '', /cannot run/);
});

test('EMFILE at spawn: run() rejects with a RunError and the Supervisor reports it; the process lives', async (t) => {
  const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile('prlimit', ['--nofile=128:128', process.execPath, '--import=tsx', FIX], { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
  t.is(out.code, 0, out.stderr);
  t.regex(out.stdout, /exhausted EMFILE/);
  t.regex(out.stdout, /run RunError EMFILE/);
  t.regex(out.stdout, /supervisor reported EMFILE/);
  t.regex(out.stdout, /alive/);
});
