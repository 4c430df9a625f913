// A state dir left 0755 with 0644 files (an older install, a hand-made copy) is made 0700/0600
// at start, with a log line; temp files of interrupted writes are removed; other users' entries stay.
import test from 'ava';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTempName, prepareStateDir, removeTempFiles, wantedMode } from '../../../firmware/src/app/stateDir.js';

test('which modes are wanted, and only for our own entries', (t) => {
  t.is(wantedMode('dir', 0o40755, 0, 0), 0o700);
  t.is(wantedMode('dir', 0o40700, 0, 0), null);
  t.is(wantedMode('file', 0o100644, 0, 0), 0o600);
  t.is(wantedMode('file', 0o100600, 0, 0), null);
  t.is(wantedMode('file', 0o100644, 105, 0), null, 'another user\'s file (dnsmasq\'s own) is left alone');
  t.is(wantedMode('dir', 0o40710, 0, 0, true), null, 'the state dir may be passable by dnsmasq\'s group (router mode)');
  t.is(wantedMode('dir', 0o40750, 0, 0, true), 0o700, 'but never listable by it');
  t.is(wantedMode('dir', 0o40710, 0, 0), 0o700, 'a sub-directory is never passable');
  t.true(isTempName('ruleset.last-good.json.tmp-1234'));
  t.true(isTempName('ulogd.conf.tmp'));
  t.true(isTempName('nft-4242-7.nft'), 'a native batch of the nft driver');
  t.true(isTempName('nft-99-3.json'));
  t.false(isTempName('utm.db'));
  t.false(isTempName('tmp'));
});

test('a pre-existing 0755 state dir with 0644 files becomes 0700/0600, says so, and loses its stale temp files', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'utm-perm-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'state');
  mkdirSync(join(dir, 'blocklist', 'feeds'), { recursive: true });
  writeFileSync(join(dir, 'utm.db'), 'x');
  writeFileSync(join(dir, 'utm.db-wal'), 'x');
  writeFileSync(join(dir, 'blocklist', 'feeds', 'a.json'), '{}');
  writeFileSync(join(dir, 'blocklist', 'feeds', 'a.json.tmp-4242'), Buffer.alloc(1024 * 1024));
  writeFileSync(join(dir, 'nft-4242-7.json'), '{}');
  const other = join(dir, 'dnsmasq');
  mkdirSync(other);
  writeFileSync(join(other, 'leases'), '');
  for (const p of [dir, join(dir, 'blocklist'), join(dir, 'blocklist', 'feeds'), other]) chmodSync(p, 0o755);
  for (const p of ['utm.db', 'utm.db-wal', 'blocklist/feeds/a.json']) chmodSync(join(dir, p), 0o644);
  chmodSync(join(other, 'leases'), 0o644);
  chownSync(other, 65534, 65534); // owned by another user: not ours to change
  chownSync(join(other, 'leases'), 65534, 65534);
  const lines: string[] = [];
  const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
  const r = await prepareStateDir(dir, log);
  const mode = (p: string): number => statSync(join(dir, p)).mode & 0o777;
  t.is(mode('.'), 0o700);
  t.is(mode('blocklist'), 0o700);
  t.is(mode('blocklist/feeds'), 0o700);
  t.is(mode('utm.db'), 0o600);
  t.is(mode('utm.db-wal'), 0o600);
  t.is(mode('blocklist/feeds/a.json'), 0o600);
  t.is(mode('dnsmasq'), 0o755);
  t.is(mode('dnsmasq/leases'), 0o644);
  t.false(existsSync(join(dir, 'blocklist', 'feeds', 'a.json.tmp-4242')));
  t.false(existsSync(join(dir, 'nft-4242-7.json')));
  t.true(existsSync(join(dir, 'blocklist', 'feeds', 'a.json')));
  t.is(r.fixed.length, 6);
  t.true(lines.some((l) => /permissions fixed on 6 entries/.test(l)));
  t.true(lines.some((l) => /removed 2 temporary file/.test(l)));
  // a second start has nothing to fix and says nothing about it
  lines.length = 0;
  t.is((await prepareStateDir(dir, log)).fixed.length, 0);
  t.false(lines.some((l) => /permissions fixed/.test(l)));
});

test('the runtime dir kept over a restart loses the temp files of a killed utmd, and keeps its own and everything else', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-run-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const stale = ['held-findings.json.tmp-4242', 'nft-4242-7.nft', 'nft-4242-8.json', 'ulogd.conf.tmp'];
  const own = [`held-findings.json.tmp-${process.pid}`, `nft-${process.pid}-3.nft`];
  const kept = ['held-findings.json', 'utmd.sock', 'dnsmasq', 'nft-home-absent', ...own];
  for (const n of [...stale, ...kept]) writeFileSync(join(dir, n), 'x');
  const lines: string[] = [];
  const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
  const removed = await removeTempFiles(dir, log);
  t.deepEqual(removed.map((p) => p.slice(dir.length + 1)).sort(), [...stale].sort());
  for (const n of stale) t.false(existsSync(join(dir, n)), n);
  for (const n of kept) t.true(existsSync(join(dir, n)), n);
  t.true(lines.some((l) => /removed 4 temporary file/.test(l)));
  t.deepEqual(await removeTempFiles(join(dir, 'absent'), log), [], 'a missing dir is logged, not thrown');
});
