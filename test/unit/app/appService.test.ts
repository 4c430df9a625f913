// The application service with the dry-run backend (nft/dryRun.ts): apply ordering through the
// one queue, render and check, re-planning, and its part of the status.
import test from 'ava';
import { AppService } from '../../../firmware/src/app/appService.js';
import { Conditions } from '../../../firmware/src/app/conditions.js';
import type { Feature } from '../../../firmware/src/feature/contract.js';
import type { NetworkPlan } from '../../../firmware/src/policy/network.js';
import { DryRunBackend } from '../../../firmware/src/nft/dryRun.js';
import { BASE, PLAN, quietLog, testConfig } from '../../helpers/daemon.js';
import { appliedDocs, holdReadBacks } from '../../helpers/dryRun.js';
import { waitFor } from '../../lab/poll.js';

function service(features: Feature[] = []): { app: AppService; nft: DryRunBackend; conditions: Conditions } {
  let nft: DryRunBackend | null = null;
  const conditions = new Conditions(() => 0);
  const app = new AppService({
    config: testConfig(), provisioning: null, base: BASE, log: quietLog, now: () => 0, conditions, features,
    nft: (serialize) => (nft = new DryRunBackend(BASE.tableName, serialize)),
  });
  if (!nft) throw new Error('the service did not build its backend');
  return { app, nft, conditions };
}

test('render throws before the first apply and renders what was applied after it', async (t) => {
  const { app, nft } = service();
  t.throws(() => app.render(), { message: 'no policy yet' });
  t.false(await app.apply(), 'no plan yet: nothing to apply');
  t.true(await app.firstApply(PLAN, performance.now()));
  t.is(appliedDocs(nft)[0], JSON.stringify(app.render()));
  t.is(app.currentPlan(), PLAN);
});

test('applies run one at a time; requests that wait share one run; an incremental change waits its turn', async (t) => {
  let quarantined: string[] = [];
  const { app, nft } = service([{ id: 'q', quarantine: () => quarantined }]);
  await app.firstApply(PLAN, 0);
  // The second apply's read-back is slow: it holds the queue. Each read-back notes how many
  // transactions had begun, so one that began inside another's apply would show.
  const atReadBack: number[] = [];
  const release = holdReadBacks(nft, () => void atReadBack.push(nft.transactions.length));
  const first = app.apply();
  await waitFor(() => atReadBack.length === 1, { what: 'the second apply to be under way' });
  quarantined = ['02:00:00:00:00:01'];
  const second = app.apply();
  const third = app.apply();
  const write = nft.transact(JSON.stringify({ nftables: [] }));
  await new Promise((r) => setImmediate(r));
  t.is(nft.transactions.length, 2, 'nothing else runs while an apply holds the queue');
  release();
  t.deepEqual(await Promise.all([first, second, third]), [true, true, true]);
  await write;
  t.deepEqual(nft.transactions.map((x) => `${x.kind}:${x.taken}`), ['apply:true', 'apply:true', 'apply:true', 'transact:true']);
  t.deepEqual(atReadBack, [2, 3], 'each apply ended before the next change began');
  const applied = appliedDocs(nft);
  t.is(applied.length, 3, 'the two waiting requests shared one apply');
  t.true(applied[2]?.includes('02:00:00:00:00:01'), 'the shared apply rendered the state as of its start');
  t.deepEqual(app.queue.counts, { applies: 3, changes: 1 });
});

test('a re-plan applies the new plan first, then the features follow it', async (t) => {
  const seen: string[] = [];
  const { app, nft } = service([{ id: 'f', onPlan: (p) => void seen.push(`onPlan after ${appliedDocs(nft).length} applies, ${p.lanPrefixes.join()}`) }, {
    id: 'broken', onPlan: () => {
      throw new Error('cannot move');
    },
  }]);
  await app.firstApply(PLAN, 0);
  const next: NetworkPlan = { ...PLAN, lanPrefixes: ['192.168.88.0/24'] };
  await app.replan(next);
  t.deepEqual(seen, ['onPlan after 2 applies, 192.168.88.0/24'], 'a feature that fails to follow does not stop the others');
  t.is(app.currentPlan(), next);
});

test('status carries the ruleset side and the parts it is given', async (t) => {
  const { app, conditions } = service([{ id: 'f', status: () => ({ n: 1 }) }]);
  await app.firstApply(PLAN, 0);
  conditions.set('sensor:ulogd', false, 'exited');
  const s = app.status({
    deviceId: 'box-1', startedAt: 0, ports: 'P', store: { alerts: 'A', upstream: 'U', storage: 'S' }, sensors: 'N', capture: 'K', control: 'C', page: null, listeners: 'L', collector: 'G',
  });
  t.like(s, {
    deviceId: 'box-1', mode: 'router', lanPrefixes: PLAN.lanPrefixes, ports: 'P', alerts: 'A', upstream: 'U', storage: 'S',
    sensors: 'N', capture: 'K', control: 'C', page: null, listeners: 'L', memory: { collector: 'G' }, features: { f: { n: 1 } }, ruleset: { lastApplyError: null, queue: { applies: 1, changes: 0 } },
  });
  t.deepEqual((s.conditions as Array<{ id: string }>).map((c) => c.id), ['ruleset', 'sensor:ulogd']);
});

test('router mode: the flowtable is used only when the probe offers it, asked once per set of ports, armed with its counter after each apply, and shown in the status', async (t) => {
  for (const available of [true, false]) {
    const asked: string[][] = [];
    const armed: string[][] = [];
    const conditions = new Conditions(() => 0);
    let nft: DryRunBackend | null = null;
    const app = new AppService({
      config: testConfig(), provisioning: null, base: BASE, log: quietLog, now: () => 0, conditions, features: [],
      nft: (serialize) => (nft = new DryRunBackend(BASE.tableName, serialize)),
      flowtable: (devices) => { asked.push([...devices]); return Promise.resolve({ available, reason: available ? 'offered' : 'Could not process rule: No such file or directory' }); },
      flowtableCounter: (devices) => { armed.push([...devices]); t.true(JSON.stringify(nft?.transactions.at(-1)).includes('flowtable'), 'armed after the apply that made it'); return Promise.resolve(); },
    });
    const plan: NetworkPlan = { ...PLAN, mode: 'router' };
    const ports = [...new Set([plan.ifaces.wan, ...plan.ifaces.lan])].sort();
    t.true(await app.firstApply(plan, 0));
    t.true(await app.apply());
    t.deepEqual(asked, [ports], 'asked once for the same ports');
    t.deepEqual(armed, available ? [ports, ports] : [], 'every apply that makes the flowtable sets its counter flag');
    t.is(JSON.stringify(app.render()).includes('"flowtable"'), available);
    const status = app.status({ deviceId: 'b', startedAt: 0, ports: null, store: { alerts: null, upstream: null, storage: null }, sensors: null, capture: null, control: null, page: null, listeners: null, collector: null });
    t.like(status, { ruleset: { flowtable: { available } } });
  }
});

test('router mode: no flowtable without a way to set its counter flag, and none once the flag is refused', async (t) => {
  const plan: NetworkPlan = { ...PLAN, mode: 'router' };
  const offered = (): Promise<{ available: boolean; reason: string }> => Promise.resolve({ available: true, reason: 'offered' });
  const make = (flowtableCounter?: (devices: readonly string[]) => Promise<void>): { app: AppService; docs: () => string[] } => {
    let nft: DryRunBackend | null = null;
    const app = new AppService({
      config: testConfig(), provisioning: null, base: BASE, log: quietLog, now: () => 0, conditions: new Conditions(() => 0), features: [],
      nft: (serialize) => (nft = new DryRunBackend(BASE.tableName, serialize)), flowtable: offered, flowtableCounter,
    });
    return { app, docs: () => (nft ? appliedDocs(nft) : []) };
  };
  // offered, but nothing could set the counter flag: offloaded flows would stop counting bytes
  const bare = make();
  t.true(await bare.app.firstApply(plan, 0));
  t.false(JSON.stringify(bare.app.render()).includes('"flowtable"'));
  // the flag refused: the ruleset is applied again without a flowtable, and the status says why
  const refused = make(() => Promise.reject(new Error('Error: Could not process rule: Operation not supported')));
  t.true(await refused.app.firstApply(plan, 0));
  t.deepEqual(refused.docs().map((d) => d.includes('"flowtable"')), [true, false]);
  t.false(JSON.stringify(refused.app.render()).includes('"flowtable"'));
  const status = refused.app.status({ deviceId: 'b', startedAt: 0, ports: null, store: { alerts: null, upstream: null, storage: null }, sensors: null, capture: null, control: null, page: null, listeners: null, collector: null });
  t.like(status, { ruleset: { flowtable: { available: false } } });
  t.regex(JSON.stringify(status), /counter flag was refused: Error: Could not process rule: Operation not supported/);
});

test('a ruleset the kernel took but the state dir could not save: enforced, said, counted as a storage failure, saved later', async (t) => {
  const conditions = new Conditions(() => 0);
  const failures: string[] = [];
  let writable = false;
  let saves = 0;
  class FullDisk extends DryRunBackend {
    override async apply(...a: Parameters<DryRunBackend['apply']>): ReturnType<DryRunBackend['apply']> {
      const r = await super.apply(...a);
      return writable ? r : { ...r, unsaved: Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }) };
    }
    override saveLastGood(): Promise<void> {
      saves++;
      return writable ? Promise.resolve() : Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    }
  }
  const app = new AppService({
    config: testConfig(), provisioning: null, base: BASE, log: quietLog, now: () => 0, conditions, features: [],
    nft: (serialize) => new FullDisk(BASE.tableName, serialize), storageFailed: (_e, where) => void failures.push(where),
  });
  t.true(await app.firstApply(PLAN, 0), 'the apply counts as done: the kernel has the ruleset');
  const c = (): { ok: boolean; detail: string } | undefined => conditions.list().find((x) => x.id === 'ruleset') as { ok: boolean; detail: string } | undefined;
  t.true(c()?.ok);
  t.regex(c()?.detail ?? '', /not saved to disk \(ENOSPC\)/);
  t.deepEqual(failures, ['saving the last-good ruleset']);
  await app.saveLastGood();
  t.is(saves, 1);
  t.regex(c()?.detail ?? '', /not saved/, 'still full: still said');
  t.is(failures.length, 2);
  writable = true;
  await app.saveLastGood();
  t.true(c()?.ok);
  t.is(c()?.detail, 'applied', 'saved: the condition says so');
  t.is(failures.length, 2);
});
