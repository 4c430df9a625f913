import test from 'ava';
import fc from 'fast-check';
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

test('property: under any schedule of changes, per condition the centre hears failure, recovery, failure, … paired by failedAt, and a condition left good ends recovered', (t) => {
  const ids = ['sensor:ulogd', 'upstream', 'feed:x'];
  fc.assert(fc.property(
    fc.array(fc.record({ id: fc.constantFrom(...ids), ok: fc.boolean(), gap: fc.integer({ min: 0, max: 3 * settle }), tick: fc.boolean() }), { maxLength: 60 }),
    (steps) => {
      const e = new ConditionEpisodes(settle);
      const out: ConditionEvent[] = [];
      const state = new Map<string, boolean>();
      let now = 0;
      for (const s of steps) {
        now += s.gap;
        if (s.tick) out.push(...e.due(now));
        if (state.get(s.id) === s.ok) continue; // Conditions only reports real changes
        state.set(s.id, s.ok);
        out.push(...e.change({ id: s.id, ok: s.ok, since: now }));
      }
      // finally every condition turns good and stays good
      for (const id of ids) if (state.get(id) === false) out.push(...e.change({ id, ok: true, since: now }));
      out.push(...e.due(now + settle));
      for (const id of ids) {
        const mine = out.filter((x) => x.id === id);
        mine.forEach((x, i) => {
          if (x.type !== (i % 2 === 0 ? 'failure' : 'recovery')) throw new Error(`${id}: event ${i} is ${x.type}`);
          if (x.type === 'recovery' && x.failedAt !== mine[i - 1]!.failedAt) throw new Error(`${id}: recovery not paired`);
        });
        if (mine.length % 2 !== 0) throw new Error(`${id}: left open`);
      }
      return e.list().length === 0;
    },
  ));
  t.pass();
});
