// Migration 005 on a box that already has an outbox: old rows get numbers in id order, the
// counter continues after them, and everything from the first unsent one on waits.
import test from 'ava';
import Database from 'better-sqlite3';
import { migrate } from '../../../firmware/src/store/db.js';
import { everyMigration, oldSchemeDb } from '../../helpers/schema.js';
import { OutboxRepo } from '../../../firmware/src/upstream/outboxRepo.js';

test('an outbox from before sequence numbers is numbered and its unsent part waits', (t) => {
  const db = oldSchemeDb(':memory:', 4);
  const add = db.prepare('INSERT INTO outbox (payload, created_at, next_attempt, sent_at) VALUES (?, 1, 1, ?)');
  add.run(Buffer.from('sent'), 5);
  add.run(Buffer.from('unsent one'), null);
  add.run(Buffer.from('sent after a failure'), 6);
  add.run(Buffer.from('unsent two'), null);
  migrate(db, everyMigration);
  const outbox = new OutboxRepo(db);
  t.is(outbox.lastConfirmedSeq(), 1, 'confirmed up to the first unsent message');
  t.deepEqual(outbox.waitingAfter(0, 10).map((m) => m.payload.toString()), ['unsent one', 'sent after a failure', 'unsent two'], 'resent in order (a duplicate is allowed)');
  t.like(outbox.pending(), { count: 3, bytes: 'unsent one'.length + 'sent after a failure'.length + 'unsent two'.length });
  t.is(outbox.nextSeq(), 5);
  t.is(outbox.confirmThrough(4, 10), 3);
  t.like(outbox.pending(), { count: 0, bytes: 0, oldest: null });
});

test('a fresh database starts at 1 with nothing confirmed', (t) => {
  const db = new Database(':memory:');
  migrate(db, everyMigration);
  const outbox = new OutboxRepo(db);
  t.is(outbox.nextSeq(), 1);
  t.is(outbox.lastConfirmedSeq(), null);
  t.like(outbox.pending(), { count: 0, bytes: 0 });
});
