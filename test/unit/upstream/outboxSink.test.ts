// The temporary bridge from UpstreamSink to today's outbox (replaced by the delivery half).
import test from 'ava';
import { openDb } from '../../../firmware/src/store/db.js';
import { OutboxRepo } from '../../../firmware/src/store/outboxRepo.js';
import { OutboxBridge } from '../../../firmware/src/upstream/outboxSink.js';
import type { ForwarderStats } from '../../../firmware/src/upstream/forwarder.js';

test('enqueue commits an RFC 5424 line with the box id and escaped SD; status reads the outbox and the forwarder', (t) => {
  const outbox = new OutboxRepo(openDb(':memory:'));
  let woken = 0;
  const clock = { now: 1000 };
  const stats: ForwarderStats = { sent: 0, failed: 0, lastError: null, lastSentAt: null };
  const b = new OutboxBridge({ outbox, deviceId: 'box-0001', now: () => clock.now, peer: '198.51.100.10:514', stats: () => stats, onQueued: () => woken++ });
  const id = b.enqueue({ class: 'condition', msgId: 'recovery', severity: 5, timestamp: 0, sd: [{ id: 'utmCondition@32473', params: { id: 'feed:a"]b' } }], text: 'back\nagain' });
  t.is(woken, 1);
  const [item] = outbox.due(clock.now, 10);
  t.is(item?.id, id);
  t.is(item!.payload.toString('utf8'), '<133>1 1970-01-01T00:00:00.000Z box-0001 otasuke-utm - recovery [utmCondition@32473 id="feed:a\\"\\]b"] \ufeffback again');
  t.like(b.status(), { transport: 'udp', peer: '198.51.100.10:514', connected: false, connectedSince: null, queueDepth: 1, oldestWaitingAt: 1000 });
  stats.sent = 1;
  stats.lastSentAt = 1500;
  outbox.markSent(id, 1500);
  t.like(b.status(), { connected: true, connectedSince: 1500, lastConfirmedAt: 1500, queueDepth: 0 });
  clock.now = 2000;
  b.setConnected(false);
  t.like(b.status(), { connected: false, connectedSince: 2000 });
  t.is(new OutboxBridge({ outbox, deviceId: 'x', now: () => 0, peer: null, stats: () => null }).status(), null);
});
