// The reserve file (app/storage.ts): held back while there is room, given up by a write the
// full disk refused so that the held findings are stored (and sent) at once, made again once
// there is room. Real files in a temporary dir; only statfs's figures are injected.
import test from 'ava';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Conditions } from '../../../firmware/src/app/conditions.js';
import { releaseReserveToOpen, RESERVE_FILE, StorageWatch, type DiskReading } from '../../../firmware/src/app/storage.js';
import { conditionFinding } from '../../../firmware/src/app/health.js';
import { isTempName } from '../../../firmware/src/app/stateDir.js';
import type { Finding } from '../../../firmware/src/alerts/types.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const MB = 1024 * 1024;
const errWith = (code: string): Error => Object.assign(new Error(code), { code });
const finding = (kind: string): Finding => ({ kind, severity: 'warning', dedupKey: kind, at: 1, action: 'none', params: {}, evidence: {} });
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function world(t: { teardown(fn: () => void): void }, reserveMb = 2): { dir: string; w: StorageWatch; conditions: Conditions; stored: string[]; setFree: (mb: number) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'utm-reserve-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const conditions = new Conditions(() => 1);
  let reading: DiskReading = { freeBytes: 500 * MB, totalBytes: 1000 * MB };
  const stored: string[] = [];
  const w = new StorageWatch({
    stateDir: dir, minFreeMb: 10, reserveMb, checkMs: 60_000, conditions, log: quiet, prune: () => ({}),
    reraise: (f) => stored.push(f.kind), read: async () => reading,
  });
  return { dir, w, conditions, stored, setFree: (mb) => { reading = { freeBytes: mb * MB, totalBytes: 1000 * MB }; } };
}

const cond = (c: Conditions, id: string): { ok: boolean; detail?: string } | undefined => c.list().find((x) => x.id === id);
/** The params of the office's alert the `storage` condition raises now. */
const storageAlert = (c: Conditions): unknown => {
  const s = c.list().find((x) => x.id === 'storage');
  return s && conditionFinding(s, null)?.params;
};

test('the reserve is made while there is room besides it, whole and under its own name', async (t) => {
  const { dir, w, conditions } = world(t);
  await w.check();
  t.is(statSync(join(dir, RESERVE_FILE)).size, 2 * MB);
  t.deepEqual(readdirSync(dir).filter((f) => f.startsWith(RESERVE_FILE)), [RESERVE_FILE], 'no temporary file left');
  t.like(w.status().reserve, { bytes: 2 * MB, present: true, released: 0 });
  t.true(cond(conditions, 'disk')?.ok);
  t.regex(cond(conditions, 'disk')?.detail ?? '', /^498 MB free .*besides a 2 MB reserve\)$/, 'the free space shown is what is left besides it');
  // a half-made reserve left by a kill is a temporary file the start-up sweep removes
  t.true(isTempName(`${RESERVE_FILE}.tmp-4242`));
});

test('without room for it the reserve is not made, and the disk counts as low (the reserve is owed)', async (t) => {
  const { dir, w, conditions, setFree } = world(t);
  setFree(11); // minFreeMb 10 + a 2 MB reserve > 11 MB
  await w.check();
  t.false(existsSync(join(dir, RESERVE_FILE)));
  t.false(cond(conditions, 'disk')?.ok);
  t.regex(cond(conditions, 'disk')?.detail ?? '', /^11 MB free .*reserve not held now\)$/);
  setFree(12);
  await w.check();
  t.true(existsSync(join(dir, RESERVE_FILE)), 'made once minFreeMb is free besides it');
  t.true(cond(conditions, 'disk')?.ok);
});

test('a write refused for want of room gives the reserve up: what was held is stored right after, without waiting for a check', async (t) => {
  const { dir, w, conditions, stored, setFree } = world(t);
  await w.check();
  t.true(existsSync(join(dir, RESERVE_FILE)));
  // the disk fills up: the store refuses an alert, the caller holds it (AlertStore.raise)
  setFree(0);
  w.noteFailure(errWith('SQLITE_FULL'), 'alert blocklist_hit');
  w.hold(finding('blocklist_hit'));
  t.false(existsSync(join(dir, RESERVE_FILE)), 'the reserve is gone at once');
  t.false(cond(conditions, 'storage')?.ok);
  t.deepEqual(storageAlert(conditions), { onReserve: true }, "the office's alert says the box goes on on its spare space");
  t.deepEqual(stored, [], 'nothing stored before the caller held it');
  await turn();
  t.deepEqual(stored, ['blocklist_hit'], 'stored on the space the reserve held');
  t.true(cond(conditions, 'storage')?.ok);
  t.regex(cond(conditions, 'storage')?.detail ?? '', /reserve held/);
  t.like(w.status().reserve, { present: false, released: 1 });
  t.is(w.status().held, 0);
  // the disk stays full: low (the reserve is owed), and no new reserve
  setFree(1);
  await w.check();
  t.false(cond(conditions, 'disk')?.ok);
  t.false(existsSync(join(dir, RESERVE_FILE)));
  // a second refusal finds no reserve: held until there is room
  w.noteFailure(errWith('ENOSPC'), 'alert x');
  w.hold(finding('x'));
  t.like(w.status().reserve, { released: 1 });
  t.deepEqual(storageAlert(conditions), {}, 'no spare space this time: the alert says records cannot be written');
  // room again: the reserve comes back
  setFree(400);
  await w.check();
  t.true(existsSync(join(dir, RESERVE_FILE)));
  t.true(cond(conditions, 'disk')?.ok);
  t.true(w.status().reserve.present);
});

test('a failing or read-only disk keeps the reserve (it would not help), and 0 MB makes none', async (t) => {
  const { dir, w, conditions } = world(t);
  await w.check();
  w.noteFailure(errWith('EROFS'), 'last-good');
  t.deepEqual(storageAlert(conditions), { readOnly: true });
  w.noteFailure(errWith('SQLITE_IOERR_WRITE'), 'alert');
  t.true(existsSync(join(dir, RESERVE_FILE)));
  t.like(w.status().reserve, { present: true, released: 0 });
  const none = world(t, 0);
  await none.w.check();
  t.deepEqual(readdirSync(none.dir), []);
  t.regex(cond(none.conditions, 'disk')?.detail ?? '', /\(threshold 10 MB\)$/);
  none.w.noteFailure(errWith('SQLITE_FULL'), 'alert');
  t.like(none.w.status().reserve, { bytes: 0, released: 0 });
  // a reserve an earlier config made goes once none is wanted
  writeFileSync(join(none.dir, RESERVE_FILE), Buffer.alloc(4096));
  none.w.start();
  await none.w.stop();
  t.deepEqual(readdirSync(none.dir), []);
});

test('before the store opens, the reserve goes only for a disk without room (here there is room, or no reserve: kept, false)', async (t) => {
  const { dir, w, conditions } = world(t);
  t.false(releaseReserveToOpen(dir, quiet), 'no reserve yet');
  await w.check();
  t.false(releaseReserveToOpen(dir, quiet), 'room for a small write: the store failed for another reason');
  t.true(existsSync(join(dir, RESERVE_FILE)));
  t.deepEqual(readdirSync(dir), [RESERVE_FILE], 'no probe file left');
  // once the store was opened on the reserve's space (AlertStore.open), the watch counts and says it
  rmSync(join(dir, RESERVE_FILE));
  w.openedOnReserve(errWith('SQLITE_IOERR_SHMSIZE'));
  t.like(w.status().reserve, { released: 1, present: false });
  t.regex(cond(conditions, 'storage')?.detail ?? '', /SQLITE_IOERR_SHMSIZE \(opening the store\); 1 failed so far; writing on the space the reserve held$/);
  t.deepEqual(storageAlert(conditions), { onReserve: true });
  await w.check();
  t.true(cond(conditions, 'storage')?.ok, 'writes work at the first check');
});

test('a reserve of another size (an earlier config\'s) is given up by a full disk too, and made again at the configured size', async (t) => {
  const { dir, w, stored, setFree } = world(t);
  writeFileSync(join(dir, RESERVE_FILE), Buffer.alloc(4096));
  setFree(11); // no room to make the 2 MB one yet
  await w.check();
  w.noteFailure(errWith('ENOSPC'), 'alert x');
  w.hold(finding('x'));
  t.false(existsSync(join(dir, RESERVE_FILE)));
  await turn();
  t.deepEqual(stored, ['x']);
  t.like(w.status().reserve, { released: 1 });
  setFree(400);
  await w.check();
  t.is(statSync(join(dir, RESERVE_FILE)).size, 2 * MB);
});
