import test from 'ava';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Conditions } from '../../../firmware/src/app/conditions.js';
import { StorageWatch, type DiskReading } from '../../../firmware/src/app/storage.js';
import { isStorageError } from '../../../firmware/src/errors/storageError.js';
import { conditionFinding } from '../../../firmware/src/app/health.js';
import type { Finding } from '../../../firmware/src/alerts/types.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const MB = 1024 * 1024;

function errWith(code: string): Error {
  return Object.assign(new Error(code), { code });
}

test('storage errors are told from others, also when wrapped', (t) => {
  t.true(isStorageError(errWith('SQLITE_FULL')));
  t.true(isStorageError(errWith('SQLITE_IOERR_WRITE')));
  t.true(isStorageError(errWith('ENOSPC')));
  t.true(isStorageError(new Error('apply failed', { cause: errWith('EDQUOT') })));
  // a file system turned read-only: the files' EROFS, SQLite's "attempt to write a readonly database"
  t.true(isStorageError(errWith('EROFS')));
  t.true(isStorageError(errWith('SQLITE_READONLY')));
  t.false(isStorageError(errWith('SQLITE_CONSTRAINT_UNIQUE')));
  t.false(isStorageError(new TypeError('x')));
  t.false(isStorageError('SQLITE_FULL'));
  // the real thing: better-sqlite3's error for a constraint is not a storage error
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (x INTEGER PRIMARY KEY)');
  db.exec('INSERT INTO t VALUES (1)');
  const e = t.throws(() => db.exec('INSERT INTO t VALUES (1)'), { any: true });
  t.false(isStorageError(e));
});

function finding(kind: string): Finding {
  return { kind, severity: 'warning', dedupKey: kind, at: 1, action: 'none', params: {}, evidence: {} };
}

test('low space raises "disk" and prunes; failed writes raise "storage", hold findings, and recover by themselves', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-storage-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const conditions = new Conditions(() => 1);
  let reading: DiskReading = { freeBytes: 100 * MB, totalBytes: 1000 * MB };
  let prunes = 0;
  const stored: string[] = [];
  const w = new StorageWatch({
    stateDir: dir, minFreeMb: 64, checkMs: 60_000, conditions, log: quiet,
    prune: () => { prunes++; return { outboxSent: 3 }; },
    reraise: (f) => stored.push(f.kind),
    read: async () => reading,
    maxHeld: 2,
  });
  let hooks = 0;
  w.onRecovered(() => hooks++);
  await w.check();
  t.true(conditions.list().find((c) => c.id === 'disk')?.ok);
  t.is(prunes, 0);
  reading = { freeBytes: 10 * MB, totalBytes: 1000 * MB };
  await w.check();
  const disk = conditions.list().find((c) => c.id === 'disk');
  t.false(disk?.ok);
  t.regex(disk?.detail ?? '', /^10 MB free/);
  t.is(prunes, 1);
  t.deepEqual(w.status().pruned, { outboxSent: 3 });
  // writes fail: counted, condition down, findings held (bounded, oldest dropped)
  w.noteFailure(errWith('SQLITE_FULL'), 'alert x');
  for (const k of ['a', 'b', 'c']) w.hold(finding(k));
  t.false(conditions.list().find((c) => c.id === 'storage')?.ok);
  t.is(w.status().writeFailures, 1);
  t.is(w.status().held, 2);
  t.is(w.status().heldDropped, 1);
  // space returns: the next check finds writes work, says so, and stores what was held
  reading = { freeBytes: 500 * MB, totalBytes: 1000 * MB };
  await w.check();
  t.true(conditions.list().find((c) => c.id === 'storage')?.ok);
  t.true(conditions.list().find((c) => c.id === 'disk')?.ok);
  t.deepEqual(stored, ['b', 'c']);
  t.true(w.status().writable);
  t.is(hooks, 1, 'what waits for writes (the last-good ruleset) is told once');
  await w.check();
  t.is(hooks, 1);
  await w.stop(); // the held findings' file, written and removed, before the dir goes
  t.deepEqual(readdirSync(dir).filter((f) => f.startsWith('held')), []);
});

test('a store opened in memory at start is never reported as recovered (only a restart brings the disk back)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-storage-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const conditions = new Conditions(() => 1);
  const w = new StorageWatch({
    stateDir: dir, minFreeMb: 1, checkMs: 60_000, conditions, log: quiet, prune: () => ({}), reraise: () => undefined,
    read: async () => ({ freeBytes: 500 * MB, totalBytes: 1000 * MB }),
  });
  w.storeInMemory(errWith('SQLITE_FULL'));
  await w.check();
  const c = conditions.list().find((x) => x.id === 'storage');
  t.false(c?.ok);
  t.regex(c?.detail ?? '', /restart utmd/);
});

test('a store that cannot be opened (SQLITE_CANTOPEN) is explained by a write in the state dir: its error, or the store\'s own when the write works', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-storage-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const watch = (stateDir: string): [StorageWatch, Conditions] => {
    const conditions = new Conditions(() => 1);
    return [new StorageWatch({ stateDir, minFreeMb: 1, checkMs: 60_000, conditions, log: quiet, prune: () => ({}), reraise: () => undefined }), conditions];
  };
  const [w, conditions] = watch(dir);
  w.storeInMemory(errWith('SQLITE_CANTOPEN'));
  t.regex(conditions.list().find((x) => x.id === 'storage')?.detail ?? '', /SQLITE_CANTOPEN/, 'a writable dir: the store\'s own reason');
  t.deepEqual(readdirSync(dir), [], 'no probe file left');
  // a state dir whose writes fail (here: missing) names the write's error instead
  const [w2, c2] = watch(join(dir, 'absent'));
  w2.storeInMemory(errWith('SQLITE_CANTOPEN'));
  t.regex(c2.list().find((x) => x.id === 'storage')?.detail ?? '', /ENOENT/);
});

test('the runtime dir is watched too: full, it fails the runtime-dir condition (no page alert), and recovers', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-storage-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const conditions = new Conditions(() => 1);
  let runFree = 0;
  const w = new StorageWatch({
    stateDir: dir, runtimeDir: '/run/otasuke-utm', minFreeMb: 1, checkMs: 60_000, conditions, log: quiet, prune: () => ({}), reraise: () => undefined,
    read: async (d) => (d === dir ? { freeBytes: 500 * MB, totalBytes: 1000 * MB } : { freeBytes: runFree, totalBytes: 8 * MB }),
  });
  await w.check();
  const c = conditions.list().find((x) => x.id === 'runtime-dir');
  t.false(c?.ok);
  t.regex(c?.detail ?? '', /0 MB free in the runtime dir \/run\/otasuke-utm: .*state dir/);
  t.true(conditions.list().find((x) => x.id === 'disk')?.ok, 'the state dir is fine');
  t.is(conditionFinding(c!, null), null, 'not an alert on the office\'s page: the box goes on');
  runFree = 6 * MB;
  await w.check();
  t.true(conditions.list().find((x) => x.id === 'runtime-dir')?.ok);
  // without a runtime dir of its own (utmd run by hand) nothing is said
  const c2 = new Conditions(() => 1);
  await new StorageWatch({ stateDir: dir, runtimeDir: dir, minFreeMb: 1, checkMs: 60_000, conditions: c2, log: quiet, prune: () => ({}), reraise: () => undefined }).check();
  t.is(c2.list().find((x) => x.id === 'runtime-dir'), undefined);
});

test('a write refused by a read-only file system is told once (onReadOnly), a full disk and a store in memory never', (t) => {
  const told: string[] = [];
  const make = (): StorageWatch => new StorageWatch({
    stateDir: '/nonexistent', minFreeMb: 1, checkMs: 60_000, conditions: new Conditions(() => 1), log: quiet, prune: () => ({}), reraise: () => undefined,
    onReadOnly: (e) => told.push((e as NodeJS.ErrnoException).code ?? '?'),
  });
  const w = make();
  w.noteFailure(errWith('SQLITE_FULL'), 'alert');
  w.noteFailure(errWith('ENOSPC'), 'snapshot');
  t.deepEqual(told, [], 'full: it comes back by itself');
  w.noteFailure(errWith('SQLITE_READONLY'), 'alert');
  w.noteFailure(errWith('EROFS'), 'last-good');
  t.deepEqual(told, ['SQLITE_READONLY'], 'read-only: once');
  const m = make();
  m.storeInMemory(errWith('SQLITE_READONLY'));
  m.noteFailure(errWith('EROFS'), 'last-good');
  t.deepEqual(told, ['SQLITE_READONLY'], 'a store in memory since start: nothing to gain from a restart');
});
