// The upstream forwarder's retry and ordering, example by example (the property test covers
// arbitrary schedules): a collector that refuses is retried with the backoff, never once per
// message; health goes down and up once each; a link that breaks after writing resends from
// just after the last confirmed message, in order, with the same sequence numbers; and a
// message leaves the outbox only when the collector confirmed it.
import test, { type ExecutionContext } from 'ava';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { OutboxRepo } from '../../../firmware/src/upstream/outboxRepo.js';
import { OutboxSink } from '../../../firmware/src/upstream/sink.js';
import { UpstreamForwarder } from '../../../firmware/src/upstream/forwarder.js';
import { UpstreamLinkError, type Connector, type Link } from '../../../firmware/src/upstream/link.js';
import type { UpstreamMessage } from '../../../firmware/src/upstream/contract.js';
import { waitFor } from '../../lab/poll.js';

const msg = (n: number): UpstreamMessage => ({ class: 'alert', msgId: 'test', severity: 4, timestamp: 1_000 + n, sd: [], text: `message ${n}` });

/** A RELP-like collector with a window of one: acknowledges each message before taking the next,
 *  unless told to break after `breakAfter` writes on this connection. */
function collector(script: Array<'refuse' | { breakAfter: number } | 'ok'>) {
  const arrivals: number[][] = [];
  let attempts = 0;
  const connect: Connector = async (ev) => {
    const step = script[attempts++] ?? 'ok';
    await new Promise((r) => setImmediate(r));
    if (step === 'refuse') throw new UpstreamLinkError('connect ECONNREFUSED 192.0.2.10:2514', 'ECONNREFUSED');
    const got: number[] = [];
    arrivals.push(got);
    let broken = false;
    let writes = 0;
    let inFlight = 0;
    const link: Link = {
      kind: 'acked', peerCertSha256: null,
      room: () => (broken ? 0 : 1 - inFlight),
      write(seq) {
        if (broken) return;
        writes++;
        inFlight++;
        if (typeof step === 'object' && writes > step.breakAfter) {
          broken = true;
          setImmediate(() => ev.closed(new UpstreamLinkError('read ECONNRESET', 'ECONNRESET')));
          return;
        }
        got.push(seq);
        setImmediate(() => {
          if (broken) return;
          inFlight--;
          ev.confirmed(seq);
          ev.progress();
        });
      },
      async finish() {},
      destroy() { broken = true; },
    };
    return link;
  };
  return { connect, arrivals, attempts: () => attempts };
}

function world(t: ExecutionContext, script: Parameters<typeof collector>[0]) {
  const db = openDb(':memory:', everyMigration);
  const outbox = new OutboxRepo(db);
  const sink = new OutboxSink({ outbox, deviceId: 'box', now: Date.now, maxMessages: 1000, maxBytes: 1 << 20 });
  const c = collector(script);
  const health: string[] = [];
  const fwd = new UpstreamForwarder({
    outbox, sink, connect: c.connect, transport: 'relp', peer: '192.0.2.10:2514', now: Date.now,
    random: () => 0.5, backoffBaseMs: 20, backoffMaxMs: 40,
    onHealth: (ok) => health.push(ok ? 'up' : 'down'),
  });
  t.teardown(async () => {
    await fwd.stop(0);
    db.close();
  });
  return { outbox, sink, fwd, c, health };
}

test('a refusing collector is retried with the backoff; everything queued meanwhile arrives once, in order', async (t) => {
  const w = world(t, ['refuse', 'refuse', 'ok']);
  for (let i = 1; i <= 5; i++) w.sink.enqueue(msg(i));
  w.fwd.start();
  await waitFor(() => w.outbox.pending().count === 0, { what: 'the outbox to drain' });
  t.is(w.c.attempts(), 3, 'three connection attempts for five messages: retries are per link, not per message');
  t.is(w.fwd.counters.failures, 2);
  t.deepEqual(w.c.arrivals, [[1, 2, 3, 4, 5]]);
  t.deepEqual(w.health.filter((h, i, a) => h !== a[i - 1]), ['down', 'up'], 'down once, then up once');
  const s = w.fwd.status();
  t.true(s.connected);
  t.is(s.lastConfirmedSeq, 5);
});

test('a link that breaks resends from just after the last confirmed message, with the same numbers', async (t) => {
  const w = world(t, [{ breakAfter: 3 }, 'ok']);
  w.fwd.start();
  for (let i = 1; i <= 6; i++) w.sink.enqueue(msg(i));
  await waitFor(() => w.outbox.pending().count === 0, { what: 'the outbox to drain' });
  const [first, second] = w.c.arrivals;
  t.deepEqual(first, [1, 2, 3]);
  t.is(second?.[0], 4, 'the second link starts right after the last confirmed message');
  t.deepEqual(second, [4, 5, 6]);
  const firstArrivals = [...new Set(w.c.arrivals.flat())];
  t.deepEqual(firstArrivals, [1, 2, 3, 4, 5, 6], 'first arrivals are in sequence order');
});

test('nothing leaves the outbox while the collector confirms nothing', async (t) => {
  const w = world(t, ['refuse', 'refuse', 'refuse', 'refuse', 'refuse', 'refuse', 'refuse', 'refuse', 'refuse', 'refuse']);
  w.sink.enqueue(msg(1));
  w.sink.enqueue(msg(2));
  w.fwd.start();
  await waitFor(() => w.fwd.counters.failures >= 3, { what: 'three refused attempts' });
  t.is(w.outbox.pending().count, 2, 'both messages still wait');
  t.is(w.fwd.status().lastConfirmedSeq, null);
  t.regex(w.fwd.status().lastError ?? '', /ECONNREFUSED/);
  t.false(w.fwd.status().connected);
});
