// A state dir left 0755 with 0644 files (an older install, a copy made by hand): the next
// utmd start makes it 0700/0600 and says so; files it creates later are 0600 too. And
// utmctl's states with the real daemon: stuck (SIGSTOP) is "not answering" (exit 4), gone
// is "not running" (exit 3); the page stays reachable for the office throughout.
import test from 'ava';
import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createLab } from '../../lab/lab.js';
import { startUtmd, labUtmdConfig } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import { httpGet } from './helpers.js';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? [p, ...walk(p)] : [p];
  });
}

const mode = (p: string): number => statSync(p).mode & 0o777;

test.serial('bridge: a pre-existing 0755 state dir with 0644 files is made 0700/0600 at start; utmctl tells stuck from gone', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const config = labUtmdConfig(lab);
  const first = await startUtmd(lab, { config });
  await first.stop();
  const state = first.stateDir;
  // what an older install (or a hand) left behind
  chmodSync(state, 0o755);
  for (const p of walk(state)) {
    if (statSync(p).isDirectory()) chmodSync(p, 0o755);
    else if (statSync(p).isFile()) chmodSync(p, 0o644);
  }
  t.true(walk(state).some((p) => p.endsWith('utm.db')));

  const utmd = await startUtmd(lab, { config });
  t.teardown(() => utmd.stop());
  t.is(mode(state), 0o700);
  const loose = walk(state).filter((p) => {
    const s = statSync(p);
    return s.uid === 0 && (s.isDirectory() ? mode(p) !== 0o700 : s.isFile() ? mode(p) !== 0o600 : false);
  });
  t.deepEqual(loose, [], 'every dir 0700 and every file 0600, also those created since (WAL, configs)');
  t.true(['utm.db', 'ruleset.last-good.json', 'session.key'].every((n) => mode(join(state, n)) === 0o600));
  t.regex(readFileSync(utmd.logPath, 'utf8'), /state dir permissions fixed on \d+ entr/);

  // utmctl against the real daemon: healthy, stuck, gone
  const host = lab.hosts[0]!;
  t.is((await utmd.ctl(['status'])).code, 0);
  process.kill(utmd.proc.pid, 'SIGSTOP');
  try {
    const stuck = await utmd.ctl(['status']);
    t.is(stuck.code, 4, stuck.stderr);
    t.regex(stuck.stderr, /did not answer within 2 s/);
    // the kernel keeps enforcing and forwarding while utmd is stopped; the page cannot answer
  } finally {
    process.kill(utmd.proc.pid, 'SIGCONT');
  }
  await waitFor(async () => (await utmd.ctl(['status'])).code === 0, { what: 'utmctl answers again', timeoutMs: 10_000 });
  t.is((await httpGet(host.ns, `http://${lab.box.lanAddress.v4}/`)).status, 200, 'the page answers the office');
  await utmd.stop();
  const gone = await utmd.ctl(['status']);
  t.is(gone.code, 3, gone.stderr);
  t.regex(gone.stderr, /not running/);
});
