import type { UpstreamMessage } from '../../../firmware/src/upstream/contract.js';
import test from 'ava';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { AlertsRepo } from '../../../firmware/src/alerts/alertsRepo.js';
import { OutboxRepo } from '../../../firmware/src/upstream/outboxRepo.js';
import { OutboxSink } from '../../../firmware/src/upstream/sink.js';
import { AlertPipeline } from '../../../firmware/src/alerts/pipeline.js';
import { blocklistFinding, parseLogPrefix } from '../../../firmware/src/alerts/fromPacket.js';
import type { Finding } from '../../../firmware/src/alerts/types.js';

function setup() {
  const db = openDb(':memory:', everyMigration);
  const alerts = new AlertsRepo(db);
  const outbox = new OutboxRepo(db);
  let now = 1_000_000;
  const created: number[] = [];
  const upstream = new OutboxSink({ outbox, deviceId: 'box', now: () => now, maxMessages: 1000, maxBytes: 1 << 20 });
  const p = new AlertPipeline<UpstreamMessage>({
    db, alerts, upstream, now: () => now, cooldownMs: () => 60_000,
    toUpstream: (a) => ({ class: 'alert', msgId: a.kind, severity: 4, timestamp: a.lastSeen, sd: [], text: `alert ${a.id}`, alertId: a.id }),
    onNew: (a) => created.push(a.id),
  });
  return { db, alerts, outbox, p, created, tick: (ms: number) => (now += ms) };
}

const hit = (at: number, remote = '203.0.113.66'): Finding =>
  blocklistFinding({ at, prefix: 'utm:drop:out:local', srcIp: '192.168.77.10', dstIp: remote, proto: 'tcp', dstPort: 443, srcMac: '02:00:00:00:00:0a' }, 'utm', () => undefined)!;

test('repeats within the cooldown update one alert; after it a new alert starts', (t) => {
  const s = setup();
  s.p.ingest(hit(1000));
  s.p.ingest(hit(20_000));
  s.p.ingest(hit(70_000));
  t.is(s.alerts.count(), 1);
  const [a] = s.alerts.recent(10);
  t.is(a?.count, 3);
  t.is(a?.firstSeen, 1000);
  t.is(a?.lastSeen, 70_000);
  s.p.ingest(hit(70_000 + 60_001));
  t.is(s.alerts.count(), 2);
  t.deepEqual(s.created.length, 2);
});

test('each new alert is queued for upstream exactly once, in the same transaction', (t) => {
  const s = setup();
  s.p.ingest(hit(1000));
  s.p.ingest(hit(2000));
  s.p.ingest(hit(3000, '198.51.100.7'));
  t.is(s.outbox.pending().count, 2);
  const due = s.outbox.waitingAfter(0, 10);
  t.deepEqual(due.map((d) => d.seq), [1, 2]);
  t.true(due[0]!.payload.toString().endsWith('alert 1'));
  t.true(due[1]!.payload.toString().includes('[meta sequenceId="2"][utmMsg@32473 seq="2" class="alert"]'));
});

test('a failed ingest leaves no message and reuses no number that was ever committed', (t) => {
  const s = setup();
  s.p.ingest(hit(1000));
  t.throws(() => s.db.transaction(() => {
    s.p.ingest(hit(3000, '198.51.100.7'));
    throw new Error('roll back');
  })());
  s.p.ingest(hit(4000, '198.51.100.8'));
  t.deepEqual(s.outbox.waitingAfter(0, 10).map((d) => d.seq), [1, 2], 'the rolled-back number was never committed, so 2 is given once');
});

test('an outbox message stays until its delivery is confirmed', (t) => {
  const s = setup();
  s.p.ingest(hit(1000));
  t.is(s.outbox.pending().count, 1);
  t.is(s.outbox.confirmThrough(1, 5_000_001), 1);
  t.is(s.outbox.pending().count, 0);
  t.is(s.outbox.lastConfirmedSeq(), 1);
  t.is(s.outbox.prune(Number.MAX_SAFE_INTEGER), 1);
});

test('log prefixes: ours are read, anything else is ignored', (t) => {
  t.deepEqual(parseLogPrefix('utm:drop:in:feodo', 'utm'), { action: 'drop', dir: 'in', group: 'feodo' });
  t.is(parseLogPrefix('other:drop:in:x', 'utm'), null);
  t.is(parseLogPrefix('utm:drop:sideways:x', 'utm'), null);
  t.is(parseLogPrefix('utm:drop:out:<script>', 'utm'), null);
});

test('an inbound hit names the office device as the destination', (t) => {
  const f = blocklistFinding({ at: 1, prefix: 'utm:drop:in:local', srcIp: '203.0.113.66', dstIp: '192.168.77.10', proto: 'tcp', srcPort: 4444 }, 'utm', () => ({ category: 'scanner' }))!;
  t.is(f.device?.ip, '192.168.77.10');
  t.deepEqual(f.remote, { ip: '203.0.113.66', port: 4444 });
  t.is(f.direction, 'inbound');
  t.is(f.params.category, 'scanner');
});
