// The learning period against a wall clock set while it runs (devices/learningClock.ts): a new
// box that recorded its learning start by a clock months behind, then set forward by NTP, still
// learns its 7 days of real time; a step after the learning changes nothing; drift is not a
// step; a clock set back moves the start back. And in the devices feature: the moved start is
// stored, and a device seen after the step is learned silently, not alerted as new.
import test from 'ava';
import { LearningClock, STEP_MS } from '../../../firmware/src/devices/learningClock.js';
import { emptyInventory } from '../../../firmware/src/devices/model.js';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { DevicesFeature } from '../../../firmware/src/devices/feature.js';
import { DevicesRepo } from '../../../firmware/src/devices/repo.js';
import { Conditions } from '../../../firmware/src/app/conditions.js';
import type { FeatureContext } from '../../../firmware/src/feature/contract.js';
import type { Finding } from '../../../firmware/src/alerts/types.js';
import { packageRoot } from '../../../firmware/src/sys/paths.js';

const DAY = 86_400_000;
const BUILD = Date.UTC(2026, 7, 1); // systemd's build date: where a box with a dead RTC starts
const STEP = Date.UTC(2026, 11, 4) - BUILD; // NTP sets the real date

test('a step forward while learning moves the start by the step; after the learning, nothing moves; drift is not a step', (t) => {
  let mono = 60_000; // a minute after boot
  const c = new LearningClock(() => mono);
  const saved: number[] = [];
  let s = emptyInventory(BUILD);
  s = c.follow(s, BUILD + 60_000, { learningDays: 7 }, (x) => saved.push(x));
  mono = 60_000 + 5_000;
  s = c.follow(s, BUILD + 65_000 + STEP, { learningDays: 7 }, (x) => saved.push(x));
  t.is(s.startedAt, BUILD + STEP, 'the 65 s learned so far are kept, the step is not learning time');
  t.deepEqual(saved, [BUILD + STEP]);
  mono += STEP_MS - 1_000; // a slow look and some drift: no step
  s = c.follow(s, BUILD + STEP + 65_000 + STEP_MS + 59_000, { learningDays: 7 }, (x) => saved.push(x));
  t.is(saved.length, 1);
  // eight days on, the learning is over: a later step leaves the start where it is
  mono += 8 * DAY;
  s = c.follow(s, BUILD + STEP + 8 * DAY + STEP_MS + 124_000, { learningDays: 7 }, (x) => saved.push(x));
  mono += 1_000;
  s = c.follow(s, BUILD + STEP + 9 * DAY, { learningDays: 7 }, (x) => saved.push(x));
  t.is(saved.length, 1);
  t.is(s.startedAt, BUILD + STEP);
});

test('a clock set back 9 h while learning (an RTC kept in JST) moves the start back 9 h', (t) => {
  let mono = 0;
  const c = new LearningClock(() => mono);
  const wrong = Date.UTC(2026, 11, 4, 9); // 9 h ahead
  let s = emptyInventory(wrong);
  s = c.follow(s, wrong, { learningDays: 7 }, () => {});
  mono = 30_000;
  s = c.follow(s, wrong + 30_000 - 9 * 3_600_000, { learningDays: 7 }, () => {});
  t.is(s.startedAt, wrong - 9 * 3_600_000);
});

for (const firstLook of ['sighting', 'tick'] as const) {
  test(`the devices feature (the step first seen by a ${firstLook}): a device seen after NTP set the clock months forward is learned silently, and the moved start is stored`, (t) => {
    const db = openDb(':memory:', everyMigration);
    const clock = { t: BUILD };
    const raised: Finding[] = [];
    const ctx = {
      stateDir: '/nonexistent', config: {} as FeatureContext['config'], base: { tableName: 'utm' } as FeatureContext['base'],
      provisioning: { learningDays: 7, autoQuarantineNewDevices: false } as FeatureContext['provisioning'],
      log: { info: () => {}, warn: () => {}, error: () => {} }, now: () => clock.t, repos: new DevicesRepo(db),
      ruleset: { table: 'utm', transact: async () => {}, listSet: async () => '{"nftables":[]}', change: <T>(fn: () => Promise<T>): Promise<T> => fn() },
      conditions: new Conditions(() => clock.t), deviceId: 'x',
      plan: () => ({ mode: 'bridge', ifaces: { wan: 'eth0', lan: ['eth1'], bridge: 'br0' } }) as unknown as ReturnType<FeatureContext['plan']>,
      raise: (f: Finding) => raised.push(f), requestApply: async () => true,
    } satisfies FeatureContext<DevicesRepo>;
    const f = new DevicesFeature({ root: packageRoot(), oui: { vendorOf: () => null, loaded: () => true } });
    f.init(ctx);
    const sighting = (mac: string): void => f.ingest({ mac, at: clock.t, source: 'neigh', ipv4: '192.168.77.20', vendor: null });
    sighting('02:00:00:00:00:01');
    clock.t += STEP; // NTP: the real date, months on; next to no time passed
    // the inventory's 5 s tick (private: its poller is started with the sensors)
    if (firstLook === 'tick') Reflect.apply(Reflect.get(f, 'runTick') as () => void, f, []);
    sighting('02:00:00:00:00:02');
    t.true(f.list().learning.active, 'still learning');
    t.true(f.list().learning.until > BUILD + STEP + 7 * DAY - 60_000);
    t.is(raised.length, 0, 'no device alerted as new');
    t.is(new DevicesRepo(db).learningStart(0), f.list().learning.until - 7 * DAY, 'the moved start is stored');
  });
}
