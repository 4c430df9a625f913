// Staff 対応済み marks: the form's body is validated (one id, or a group card's comma list),
// a later mark replaces the earlier one, and marks are found by time.
import test from 'ava';
import { AckRequestSchema, AcksRepo } from '../../../firmware/src/store/acksRepo.js';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';

test('the request schema takes one id or a comma list, trims the note and refuses the rest', (t) => {
  t.deepEqual(AckRequestSchema.parse({ target: 'incident', id: '7', note: '  電話した ' }), { target: 'incident', id: [7], note: '電話した' });
  t.deepEqual(AckRequestSchema.parse({ target: 'alert', id: '1,2,30' }), { target: 'alert', id: [1, 2, 30], note: null });
  t.is(AckRequestSchema.parse({ target: 'alert', id: '3', note: '   ' }).note, null);
  for (const bad of [{ target: 'device', id: '1' }, { target: 'alert', id: '0' }, { target: 'alert', id: '1,,2' }, { target: 'alert', id: '-1' },
    { target: 'alert', id: Array.from({ length: 51 }, (_, i) => i + 1).join(',') }, { target: 'alert', id: '1', note: 'x'.repeat(501) }, { target: 'alert', id: '1', extra: 1 }]) {
    t.false(AckRequestSchema.safeParse(bad).success, JSON.stringify(bad).slice(0, 60));
  }
});

test('a later mark replaces the earlier one; marks are listed by time', (t) => {
  const db = openDb(':memory:', everyMigration);
  const r = new AcksRepo(db);
  r.put({ target: 'incident', id: 1, at: 100, actor: 'a', note: null });
  r.put({ target: 'incident', id: 1, at: 200, actor: 'b', note: 'n' });
  r.put({ target: 'alert', id: 1, at: 150, actor: 'a', note: null });
  t.deepEqual(r.since(0).map((a) => [a.target, a.id, a.actor]), [['alert', 1, 'a'], ['incident', 1, 'b']]);
  t.deepEqual(r.between(0, 160).map((a) => a.target), ['alert']);
  t.true(r.remove('alert', 1));
  t.false(r.remove('alert', 1));
  t.is(r.prune(300), 1);
  db.close();
});
