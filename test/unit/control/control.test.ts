import test from 'ava';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlServer } from '../../../firmware/src/control/server.js';
import { BusyError, call, callAny, NotAnsweringError, NotRunningError, probeLiveness, RemoteError } from '../../../firmware/src/control/client.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CommandError } from '../../../firmware/src/control/protocol.js';

test('commands answer, refusals and unknown commands come back as errors, garbage is survived', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-ctl-'));
  const path = join(dir, 'utmd.sock');
  const srv = new ControlServer(path, {
    echo: (a) => a,
    refuse: () => {
      throw new CommandError('no');
    },
  });
  await srv.start();
  t.teardown(async () => {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  t.is(statSync(path).mode & 0o777, 0o600);
  t.deepEqual(await call(path, 'echo', { x: 1 }), { x: 1 });
  await t.throwsAsync(call(path, 'refuse'), { instanceOf: RemoteError, message: 'no' });
  await t.throwsAsync(call(path, 'nope'), { instanceOf: RemoteError });
  const raw = await new Promise<string>((resolve) => {
    const s = net.createConnection(path, () => s.write('\u0000\u00ff garbage\n'));
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      s.end();
      resolve(d);
    });
  });
  t.regex(raw, /"ok":false/);
  t.deepEqual(await call(path, 'echo', {}), {});
  t.is(srv.counts.rejected, 1);
});

test('a missing daemon is a clear NotRunningError', async (t) => {
  await t.throwsAsync(call('/nonexistent/utmd.sock', 'status'), { instanceOf: NotRunningError });
});

test('not running: a socket path that is a plain file (nobody listening) is NotRunningError too', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-ctl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'utmd.sock');
  writeFileSync(path, '');
  await t.throwsAsync(call(path, 'status'), { instanceOf: NotRunningError });
});

test('callAny: the state dir\'s socket first, the runtime dir\'s when nobody listens there; both named when neither answers', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-ctl-'));
  const stale = join(dir, 'state.sock');
  writeFileSync(stale, ''); // left by a utmd killed on a read-only state dir
  const path = join(dir, 'run.sock');
  let calls = 0;
  const srv = new ControlServer(path, { echo: (a) => { calls++; return a; } });
  await srv.start();
  t.teardown(async () => {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  t.deepEqual(await callAny([stale, path], 'echo', { x: 2 }), { x: 2 });
  t.deepEqual(await callAny([path, stale], 'echo', { x: 3 }), { x: 3 });
  t.is(calls, 2, 'each command ran once');
  const e = await t.throwsAsync(callAny([stale, join(dir, 'absent.sock')], 'echo'), { instanceOf: NotRunningError });
  t.regex(e?.message ?? '', /state\.sock or .*absent\.sock/);
  await t.throwsAsync(callAny([join(dir, 'absent.sock')], 'echo'), { instanceOf: NotRunningError, message: /absent\.sock\)$/ });
});

test('not answering: connected but silent is NotAnsweringError, not "not running"', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-ctl-'));
  const path = join(dir, 'utmd.sock');
  const held: net.Socket[] = [];
  const mute = net.createServer((s) => held.push(s)); // accepts, never answers
  await new Promise<void>((r) => mute.listen(path, r));
  t.teardown(async () => {
    for (const s of held) s.destroy();
    await new Promise<void>((r) => mute.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });
  await t.throwsAsync(call(path, 'status'), { instanceOf: NotAnsweringError });
});

test('busy: a long command is acknowledged and reported as busy; other commands still answer meanwhile', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-ctl-'));
  const path = join(dir, 'utmd.sock');
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const srv = new ControlServer(path, { slow: async () => { await gate; return 'done'; }, ping: () => 'pong' });
  await srv.start();
  t.teardown(async () => {
    release();
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const told: string[] = [];
  // the deadline passes while utmd keeps reporting progress: busy, not "not answering"
  const e = await t.throwsAsync(call(path, 'slow', {}, { deadlineMs: 3000, onBusy: (p) => told.push(p.cmd) }), { instanceOf: BusyError });
  t.is(e?.progress.cmd, 'slow');
  t.deepEqual(told, ['slow']);
  // a second long one waits; meanwhile a cheap command answers and sees the long one running
  const second = call(path, 'slow', {}, { deadlineMs: 60_000 });
  t.is(await call(path, 'ping'), 'pong');
  t.true(srv.inProgress().some((r) => r.cmd === 'slow'));
  release();
  t.is(await second, 'done');
});

test('busy with a blocked main loop: the liveness file and the kernel say so, so utmctl says busy, not "not answering"', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-ctl-'));
  const path = join(dir, 'utmd.sock');
  const live = join(dir, 'utmd.live.json');
  const child = spawn(process.execPath, ['--import=tsx', fileURLToPath(new URL('../../fixtures/control/blockingServer.ts', import.meta.url)), path, live], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('up')) resolve(); }));
  const alive = await probeLiveness(live);
  t.is(alive?.pid, child.pid);
  t.false(alive?.occupied, 'an idle main loop is asleep in its event loop: not occupied');
  // one command occupies the main loop for 6 s; a second one (status-like) asked meanwhile
  const blocking = call(path, 'block', { ms: 6000 }, { deadlineMs: 60_000 });
  const told: string[] = [];
  const pong = await call(path, 'ping', {}, { deadlineMs: 60_000, onBusy: (p) => told.push(p.cmd) });
  t.is(pong, 'pong', 'answered once the loop was free again');
  t.deepEqual(told, ['block'], 'told busy (with what) instead of failing as "not answering"');
  t.is(await blocking, 'unblocked');
  // a stopped process is not answering
  child.kill('SIGSTOP');
  try {
    await t.throwsAsync(call(path, 'ping'), { instanceOf: NotAnsweringError });
  } finally {
    child.kill('SIGCONT');
  }
});
