import test from 'ava';
import { ConditionEpisodes, type ConditionEvent } from '../../../firmware/src/upstream/episodes.js';

const S = 1000;
const settle = 60 * S;
const types = (ev: ConditionEvent[]): string[] => ev.map((e) => `${e.type}:${e.id}`);

test('a condition good from the start sends nothing', (t) => {
  const e = new ConditionEpisodes(settle);
  t.deepEqual(e.change({ id: 'sensor:ulogd', ok: true, since: 0 }), []);
  t.deepEqual(e.due(10 * settle), []);
  t.deepEqual(e.list(), []);
});

test('one failure, then one recovery after the settle time, naming the condition and pairing by failedAt', (t) => {
  const e = new ConditionEpisodes(settle);
  const f = e.change({ id: 'sensor:ulogd', ok: false, since: 5 * S, detail: 'exited (signal SIGKILL)' });
  t.deepEqual(f, [{ type: 'failure', id: 'sensor:ulogd', failedAt: 5 * S, at: 5 * S, detail: 'exited (signal SIGKILL)' }]);
  t.deepEqual(e.change({ id: 'sensor:ulogd', ok: true, since: 7 * S }), []);
  t.deepEqual(e.due(7 * S + settle - 1), [], 'not before the settle time');
  t.is(e.nextDue(), 7 * S + settle);
  const r = e.due(7 * S + settle);
  t.deepEqual(r, [{ type: 'recovery', id: 'sensor:ulogd', failedAt: 5 * S, at: 7 * S, detail: 'exited (signal SIGKILL)' }]);
  t.deepEqual(e.due(100 * settle), [], 'the recovery is sent once');
  t.is(e.nextDue(), null);
});

test('flapping within the settle time is one episode: one failure, one recovery, no spam', (t) => {
  const e = new ConditionEpisodes(settle);
  const out: ConditionEvent[] = [];
  let now = 0;
  for (let i = 0; i < 20; i++) {
    out.push(...e.change({ id: 'upstream', ok: false, since: now }));
    now += 5 * S;
    out.push(...e.due(now));
    out.push(...e.change({ id: 'upstream', ok: true, since: now }));
    now += 10 * S;
    out.push(...e.due(now));
  }
  out.push(...e.due(now + settle));
  t.deepEqual(types(out), ['failure:upstream', 'recovery:upstream']);
  t.is(out[1]?.failedAt, 0);
});

test('a repeat of the bad state (same ok) does not send again; separate episodes each get their pair', (t) => {
  const e = new ConditionEpisodes(settle);
  const out: ConditionEvent[] = [];
  out.push(...e.change({ id: 'feed:x', ok: false, since: 0 }));
  out.push(...e.change({ id: 'feed:x', ok: false, since: 1 }));
  out.push(...e.change({ id: 'feed:x', ok: true, since: 2 }));
  out.push(...e.due(2 + settle));
  out.push(...e.change({ id: 'feed:x', ok: false, since: 10 * settle }));
  out.push(...e.change({ id: 'feed:x', ok: true, since: 11 * settle }));
  out.push(...e.due(12 * settle));
  t.deepEqual(types(out), ['failure:feed:x', 'recovery:feed:x', 'failure:feed:x', 'recovery:feed:x']);
});

test('conditions are independent', (t) => {
  const e = new ConditionEpisodes(settle);
  const out = [
    ...e.change({ id: 'sensor:ulogd', ok: false, since: 0 }),
    ...e.change({ id: 'upstream', ok: false, since: 1 }),
    ...e.change({ id: 'sensor:ulogd', ok: true, since: 2 }),
    ...e.due(2 + settle),
  ];
  t.deepEqual(types(out), ['failure:sensor:ulogd', 'failure:upstream', 'recovery:sensor:ulogd']);
  t.deepEqual(e.list().map((x) => x.id), ['upstream']);
});

test('restored open episodes (after a restart): no second failure, and the recovery still comes', (t) => {
  const before = new ConditionEpisodes(settle);
  before.change({ id: 'sensor:dnsmasq', ok: false, since: 100, detail: 'exited' });
  const e = new ConditionEpisodes(settle, before.list());
  t.deepEqual(e.change({ id: 'sensor:dnsmasq', ok: false, since: 5000 }), [], 'still bad after the restart: already told');
  e.change({ id: 'sensor:dnsmasq', ok: true, since: 6000 });
  t.deepEqual(e.due(6000 + settle), [{ type: 'recovery', id: 'sensor:dnsmasq', failedAt: 100, at: 6000, detail: 'exited' }]);
});
