import test from 'ava';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { AlertsRepo } from '../../../firmware/src/alerts/alertsRepo.js';
import { OutboxRepo } from '../../../firmware/src/upstream/outboxRepo.js';
import { IncidentsRepo } from '../../../firmware/src/alerts/incidentsRepo.js';
import { MutesRepo } from '../../../firmware/src/alerts/mutesRepo.js';
import { runRetention } from '../../../firmware/src/app/retention.js';

const DAY = 86_400_000;

test('aged alerts and sent messages go; unsent messages and fresh alerts stay', (t) => {
  const db = openDb(':memory:', everyMigration);
  const now = 200 * DAY;
  const repos = { alerts: new AlertsRepo(db), outbox: new OutboxRepo(db), incidents: new IncidentsRepo(db), mutes: new MutesRepo(db, () => now) };
  const alert = (at: number) =>
    repos.alerts.insert({ kind: 'blocklist_hit', severity: 'danger', dedupKey: `k${at}`, device: {}, remote: null, direction: null, action: 'blocked', count: 1, firstSeen: at, lastSeen: at, params: {}, evidence: {}, incidentId: null });
  const old = alert(now - 100 * DAY);
  const fresh = alert(now - DAY);
  repos.outbox.append({ seq: repos.outbox.takeSeq(), cls: 'alert', alertId: old, payload: Buffer.from('a'), now: now - 10 * DAY });
  repos.outbox.confirmThrough(1, now - 10 * DAY);
  repos.outbox.append({ seq: repos.outbox.takeSeq(), cls: 'alert', alertId: old, payload: Buffer.from('never sent'), now: now - 100 * DAY });
  const n = runRetention(repos, now);
  t.is(n.alerts, 1);
  t.is(n.outboxSent, 1);
  t.truthy(repos.alerts.get(fresh));
  t.falsy(repos.alerts.get(old));
  t.is(repos.outbox.pending().count, 1, 'an unsent message is never pruned');
});
