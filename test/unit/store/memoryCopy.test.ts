import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, readDbCopy } from '../../../firmware/src/store/db.js';
import { OutboxRepo } from '../../../firmware/src/upstream/outboxRepo.js';
import { everyMigration } from '../../helpers/schema.js';

test('a store in memory starts from a copy of the disk\'s (WAL included), writable, its sequence numbers moved past the disk\'s', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-copy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'utm.db');
  const disk = openDb(file, everyMigration);
  const ob = new OutboxRepo(disk);
  for (let i = 0; i < 3; i++) ob.append({ seq: ob.takeSeq(), cls: 'alert', alertId: null, payload: Buffer.from(`m${i}`), now: 1 });
  t.is(ob.nextSeq(), 4);
  // the disk's store still open: its last rows are in the WAL (a read-only file system: the lab
  // test robust/readOnly.test.ts)
  const copy = readDbCopy(file, 64 << 20);
  t.truthy(copy);
  const mem = openDb(copy!, everyMigration);
  const mob = new OutboxRepo(mem);
  t.is(mob.nextSeq(), 4, 'the copy holds the counter');
  t.is(mob.pending().count, 3, 'and the waiting messages');
  mob.skipAhead(1_000_000);
  t.is(mob.takeSeq(), 1_000_004);
  t.is(ob.nextSeq(), 4, 'the disk is untouched');
  mem.close();
  disk.close();
});

test('no copy: no file, an unreadable one, or one too large for memory', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-copy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.is(readDbCopy(join(dir, 'absent.db'), 64 << 20), null);
  writeFileSync(join(dir, 'garbage.db'), 'not a database at all, but long enough to have a header......................................................');
  t.is(readDbCopy(join(dir, 'garbage.db'), 64 << 20), null);
  const file = join(dir, 'utm.db');
  openDb(file, everyMigration).close();
  t.is(readDbCopy(file, 1024), null);
  t.truthy(readDbCopy(file, 64 << 20));
});
