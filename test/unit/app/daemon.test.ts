// The composition root without root privileges: fake adapters (helpers/daemon.ts), a real
// store in a temp dir, the real page app on a real loopback socket.
import test from 'ava';
import net from 'node:net';
import { harness, recordingFeature } from '../../helpers/daemon.js';
import { appliedDocs } from '../../helpers/dryRun.js';
import { waitFor } from '../../lab/poll.js';

type Status = {
  mode: string; conditions: Array<{ id: string; ok: boolean; detail?: string }>; ruleset: { lastApplyError: string | null };
  features: Record<string, unknown>; page: unknown; timings: { firstApplyMs: number | null };
};

function condition(s: Status, id: string): { ok: boolean; detail?: string } | undefined {
  return s.conditions.find((c) => c.id === id);
}

/** A TCP port on 127.0.0.1 held by someone else until `free()`. */
async function occupiedPort(): Promise<{ port: number; free(): Promise<void> }> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const addr = srv.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return { port: addr.port, free: () => new Promise<void>((r) => srv.close(() => r())) };
}

/** Handles of the kinds a daemon could leave behind (timers, listening sockets). */
function handles(): number {
  return process.getActiveResourcesInfo().filter((k) => k === 'Timeout' || k === 'TCPServerWrap' || k === 'PipeServerWrap').length;
}

test.serial('start wires everything in order and applies; status, commands and the page answer; stop leaves nothing running', async (t) => {
  const log: string[] = [];
  const h = harness(t, { features: [recordingFeature(log)] });
  const before = handles();
  const started = await h.daemon.start();
  t.is(started.mode, 'router');
  t.not(started.timings.firstApplyMs, null);
  t.is(appliedDocs(h.nft()).length, 1, 'one full apply at start');
  t.deepEqual(h.nft().transactions.slice(0, 2).map((x) => `${x.kind}:${x.taken}`), ['restore:true', 'apply:true'], 'the last-good ruleset is restored before the first apply');
  t.deepEqual(log, ['rec init', 'rec prepare', 'rec start']);
  t.deepEqual(h.lifecycle, ['sysctls', 'sensing start', 'planner start', 'control start']);

  const status = (await h.handlers().status?.({})) as Status;
  t.is(status.mode, 'router');
  t.is(condition(status, 'ruleset')?.ok, true);
  t.is(condition(status, 'page')?.ok, true);
  t.is(condition(status, 'control')?.ok, true);
  t.deepEqual(status.features, { rec: { alive: true } });
  t.not(status.page, null, 'the page reports its connections');
  t.is(await h.handlers()['rec.ping']?.({}), 'pong', 'feature commands are on the socket');
  t.is(appliedDocs(h.nft())[0], JSON.stringify(await h.handlers()['ruleset.print']?.({})), 'print renders what was applied');

  const page = h.page();
  if (!page) return t.fail('no page');
  const health = (await (await fetch(`http://127.0.0.1:${page.port}/api/health`)).json()) as { conditions: Array<{ id: string }> };
  t.true(health.conditions.some((c) => c.id === 'page'));

  await h.daemon.stop();
  t.deepEqual(log.slice(3), ['rec stop']);
  t.deepEqual(h.lifecycle.slice(4), ['control stop', 'planner stop', 'sensing stop']);
  t.is(h.page(), null, 'the page is closed');
  await t.throwsAsync(fetch(`http://127.0.0.1:${page.port}/api/health`), undefined, 'nothing answers on the page port');
  t.true(handles() <= before, `no timer or listening socket left (${handles()} > ${before})`);
});

test.serial('the page port in use: utmd runs and enforces, reports the page condition, and brings the page up once the port is free', async (t) => {
  const busy = await occupiedPort();
  t.teardown(() => busy.free());
  const h = harness(t, { config: (await import('../../helpers/daemon.js')).testConfig({ ui: { port: busy.port } }) });
  t.teardown(() => h.daemon.stop());
  await h.daemon.start();
  t.is(appliedDocs(h.nft()).length, 1, 'the ruleset is applied although the page cannot listen');
  const down = (await h.handlers().status?.({})) as Status;
  t.is(condition(down, 'page')?.ok, false);
  t.regex(condition(down, 'page')?.detail ?? '', /EADDRINUSE/);
  t.is(down.page, null);
  t.is(condition(down, 'ruleset')?.ok, true);
  const alerts = (await h.handlers().alerts?.({})) as Array<{ kind: string; text: { title: string } }>;
  const alert = alerts.find((x) => x.kind === 'page_down');
  t.truthy(alert?.text.title, 'like a dead sensor, the failure is an alert in the catalog\'s words');
  t.not(alert?.text.title, 'page_down', 'the catalog has words for it');

  await busy.free();
  const up = await waitFor(async () => {
    const s = (await h.handlers().status?.({})) as Status;
    return condition(s, 'page')?.ok ? s : undefined;
  }, { what: 'the page condition to clear', timeoutMs: 30_000 });
  t.not(up.page, null);
  const res = await fetch(`http://127.0.0.1:${busy.port}/api/health`);
  t.is(res.status, 200, 'the page answers on its configured port');
});

test.serial('the control socket refused: a condition, retried with backoff, then the commands answer', async (t) => {
  const h = harness(t);
  t.teardown(() => h.daemon.stop());
  h.controlRefused = Object.assign(new Error('listen EACCES: permission denied /state/utmd.sock'), { code: 'EACCES' });
  await h.daemon.start();
  t.is(appliedDocs(h.nft()).length, 1);
  const failing = h.daemon.conditions.list().find((c) => c.id === 'control');
  t.is(failing?.ok, false);
  t.regex(failing?.detail ?? '', /EACCES/);
  h.controlRefused = null;
  await waitFor(() => h.daemon.conditions.list().find((c) => c.id === 'control')?.ok, { what: 'the control socket up', timeoutMs: 30_000 });
  const s = (await h.handlers().status?.({})) as Status;
  t.is(condition(s, 'control')?.ok, true);
});

test.serial('a refused apply is the ruleset condition and the last apply error; the next good apply clears both', async (t) => {
  const h = harness(t);
  t.teardown(() => h.daemon.stop());
  await h.daemon.start();
  h.nft().refuseNext('Error: Could not process rule: No such file or directory');
  t.false(await h.daemon.app.apply());
  let s = (await h.handlers().status?.({})) as Status;
  t.is(condition(s, 'ruleset')?.ok, false);
  t.regex(s.ruleset.lastApplyError ?? '', /Could not process rule/);
  const check = (await h.handlers()['ruleset.check']?.({})) as { ok: boolean; lastApplyError: string | null };
  t.regex(check.lastApplyError ?? '', /Could not process rule/);
  t.true(await h.daemon.app.apply());
  s = (await h.handlers().status?.({})) as Status;
  t.is(condition(s, 'ruleset')?.ok, true);
  t.is(s.ruleset.lastApplyError, null);
});

test('the control socket goes to the runtime dir only when the state dir cannot take it (a storage error); other errors are thrown', async (t) => {
  const { listenControlIn } = await import('../../../firmware/src/app/daemon.js');
  const fail = (code: string): Error => Object.assign(new Error(`${code}: bind`), { code });
  const tried: string[] = [];
  const listen = (refuse: Record<string, Error>) => async (c: { socketPath: string; livenessPath: string }) => {
    tried.push(`${c.socketPath} ${c.livenessPath}`);
    const e = Object.entries(refuse).find(([dir]) => c.socketPath.startsWith(dir))?.[1];
    if (e) throw e;
    return { path: c.socketPath, inProgress: () => [], stop: async () => {} };
  };
  const port = await listenControlIn(listen({ '/state/': fail('EROFS') }), ['/state', '/run/x'], {});
  t.is(port.path, '/run/x/utmd.sock');
  t.deepEqual(tried, ['/state/utmd.sock /state/utmd.live.json', '/run/x/utmd.sock /run/x/utmd.live.json'], 'the liveness file beside the socket');
  t.is((await listenControlIn(listen({}), ['/state', '/run/x'], {})).path, '/state/utmd.sock');
  await t.throwsAsync(listenControlIn(listen({ '/state/': fail('EACCES') }), ['/state', '/run/x'], {}), { message: /EACCES/ }, 'not a storage error: no fallback');
  await t.throwsAsync(listenControlIn(listen({ '/state/': fail('EROFS') }), ['/state', '/state'], {}), { message: /EROFS/ }, 'no runtime dir of its own: the error');
  await t.throwsAsync(listenControlIn(listen({ '/state/': fail('EROFS'), '/run/': fail('ENOSPC') }), ['/state', '/run/x'], {}), { message: /ENOSPC/ });
});
