// Blocklist refresh against the dry-run ruleset backend (no root, no kernel): what the feed's
// status, its entry count and the sets say after a refused apply, after a refused incremental
// update that a full apply repairs, and after the kernel lost an element (the read-back count
// check). The same path runs against real nft in test/integration/blocklist/refusedApply.test.ts.
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BasePolicySchema } from '../../../firmware/src/nft/policy.js';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { bootOneFeed } from '../../helpers/oneFeedBoot.js';
import type { Conditions } from '../../../firmware/src/app/conditions.js';
import { LastGoodStore, type FeedSnapshot } from '../../../firmware/src/blocklist/lastGood.js';

const ROOT = join(import.meta.dirname, '../../..');
const base = BasePolicySchema.parse(JSON.parse(readFileSync(join(ROOT, 'rules/base-policy.json'), 'utf8')));
const SET = 'bl_fbothdrop_v4';

async function harness(t: ExecutionContext) {
  const stateDir = mkdtempSync(join(tmpdir(), 'utm-seam-'));
  const db = openDb(':memory:', everyMigration);
  t.teardown(() => {
    db.close();
    rmSync(stateDir, { recursive: true, force: true });
  });
  // apart: single addresses, not one merged range
  const h = await bootOneFeed(stateDir, db, '203.0.113.1\n203.0.113.3\n203.0.113.5\n');
  t.true(await h.applyFull(), 'the first full apply works');
  return h;
}

const condition = (c: Conditions, id: string) => c.list().find((x) => x.id === id);

test('a refused apply leaves the feed status, its entry count and the sets as the kernel has them', async (t) => {
  const h = await harness(t);
  const first = await h.feature.refresh();
  t.is(first[0]?.result, 'loaded');
  const loaded = h.feature.statusRepo?.get('lab-c2');
  t.is(loaded?.usable, 3);
  t.deepEqual(h.backend.elements('inet', SET), ['203.0.113.1', '203.0.113.3', '203.0.113.5']);

  // The next download has 5 entries; nft refuses the incremental update and the full apply.
  h.feed.body = '203.0.113.1\n203.0.113.3\n203.0.113.5\n203.0.113.7\n203.0.113.9\n';
  h.backend.refuseNext('Error: Could not process rule: Cannot allocate memory', 2);
  await t.throwsAsync(() => h.feature.refresh());
  const after = h.feature.statusRepo?.get('lab-c2');
  t.is(after?.usable, 3, 'the status still counts what the kernel holds');
  t.is(after?.entries, loaded?.entries);
  t.is(after?.lastSuccessAt, loaded?.lastSuccessAt);
  t.true((after?.consecutiveFailures ?? 0) > 0);
  t.regex(after?.lastError ?? '', /^apply: /);
  t.is(h.feature.usable.get('lab-c2'), 3, 'the next shrink check compares against what is enforced');
  t.deepEqual(h.backend.elements('inet', SET), ['203.0.113.1', '203.0.113.3', '203.0.113.5'], 'the kernel kept the previous entries');
  t.false(condition(h.conditions, 'feed:lab-c2')?.ok ?? true, 'the feed is shown as faulty');
  t.true(h.findings.some((f) => f.kind === 'feed_fault' && f.params['reason'] === 'apply'));
  t.deepEqual(h.backend.transactions.slice(-2).map((x) => `${x.kind}:${x.taken}`), ['transact:false', 'apply:false']);

  // nft takes the next try: the feed loads the new list and is healthy again.
  const again = await h.feature.refresh();
  t.is(again[0]?.result, 'loaded');
  t.is(h.feature.statusRepo?.get('lab-c2').usable, 5);
  t.is(h.backend.elements('inet', SET)?.length, 5);
  t.true(condition(h.conditions, 'feed:lab-c2')?.ok);
});

test('a refused incremental update is repaired by one full apply, and the feed counts the new list', async (t) => {
  const h = await harness(t);
  await h.feature.refresh();
  const before = h.fullApplies();
  h.feed.body = '203.0.113.1\n203.0.113.7\n';
  h.backend.refuseNext();
  const r = await h.feature.refresh();
  t.is(r[0]?.result, 'loaded');
  t.is(h.fullApplies(), before + 1);
  t.deepEqual(h.backend.elements('inet', SET), ['203.0.113.1', '203.0.113.7']);
  t.is(h.feature.statusRepo?.get('lab-c2').usable, 2);
  t.true(condition(h.conditions, 'feed:lab-c2')?.ok);
});

test('an element the kernel lost is caught by the read-back count and put back by a full apply', async (t) => {
  const h = await harness(t);
  await h.feature.refresh();
  t.true(h.backend.lose('inet', SET, '203.0.113.3'));
  const before = h.fullApplies();
  h.feed.body = '203.0.113.1\n203.0.113.3\n203.0.113.5\n203.0.113.9\n';
  const r = await h.feature.refresh();
  t.is(r[0]?.result, 'loaded');
  t.is(h.fullApplies(), before + 1, 'the count check failed and one full apply followed');
  t.deepEqual(h.backend.elements('inet', SET), ['203.0.113.1', '203.0.113.3', '203.0.113.5', '203.0.113.9']);
});

test('an unchanged download needs no transaction at all', async (t) => {
  const h = await harness(t);
  await h.feature.refresh();
  const n = h.backend.transactions.length;
  const r = await h.feature.refresh();
  t.not(r[0]?.result, 'fault');
  t.is(h.backend.transactions.length, n);
});

test('a logged hit on a feed group is raised by the blocklist feature, named by the feed that lists the address', async (t) => {
  const h = await harness(t);
  await h.feature.refresh();
  h.feature.groups(); // as the daemon's policy build does before an apply
  const hit = { type: 'packet' as const, at: 5_000, family: 4 as const, proto: 'tcp' as const, srcIp: '192.168.77.5', dstIp: '203.0.113.3', dstPort: 443, srcMac: '02:00:00:00:00:05' };
  h.feature.onPacket({ ...hit, prefix: `${base.logPrefix}:drop:out:fbothdrop` });
  const found = h.findings.filter((f) => f.kind === 'blocklist_hit');
  t.is(found.length, 1);
  t.like(found[0]?.params, { category: 'c2', list: 'ラボ', action: 'blocked', remoteIp: '203.0.113.3' });
  h.feature.onPacket({ ...hit, prefix: 'other:drop:out:fbothdrop' });
  h.feature.onPacket({ ...hit, prefix: `${base.logPrefix}:drop:out:local` });
  const after = h.findings.filter((f) => f.kind === 'blocklist_hit');
  t.is(after.length, 2, 'another program\'s prefix is not ours; the local list is still a hit');
  t.like(after[1]?.params, { list: 'local', category: undefined });
});

test.serial('the snapshot is encoded while nft takes the update and written only once it did', async (t) => {
  const h = await harness(t);
  await h.feature.refresh();
  const stateDir = h.feature.need().stateDir;
  const snap = join(stateDir, 'blocklist', 'feeds', 'lab-c2.snap');
  const onDisk = (): string => readFileSync(snap, 'utf8');
  const firstSnapshot = onDisk();
  let enforced = firstSnapshot;
  // nft answers only after the event loop turned a few times: meanwhile the encoding runs
  const seen: string[] = [];
  const proto = LastGoodStore.prototype;
  const prepare = Object.getOwnPropertyDescriptor(proto, 'prepare')?.value as LastGoodStore['prepare'];
  t.teardown(() => { proto.prepare = prepare; });
  proto.prepare = async function (this: LastGoodStore, s: FeedSnapshot) {
    seen.push(`prepare:${String(inTransaction)}`);
    return prepare.call(this, s);
  };
  let inTransaction = false;
  const transact = h.backend.transact.bind(h.backend);
  h.backend.transact = async (doc, started) => {
    inTransaction = true;
    started?.(); // nft has the document: the encoding may start
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
    t.is(onDisk(), enforced, 'nothing written before the kernel took the update');
    inTransaction = false;
    return transact(doc);
  };
  // a wholly new list: the base snapshot is written again, not a delta
  h.feed.body = '198.51.100.1\n198.51.100.3\n198.51.100.5\n198.51.100.7\n';
  t.is((await h.feature.refresh())[0]?.result, 'loaded');
  t.deepEqual(seen, ['prepare:true']);
  t.not(onDisk(), firstSnapshot);
  t.is((await new LastGoodStore(stateDir).loadAll(() => t.fail()))[0]?.usable, 4);

  // refused, and the full apply that follows refused too: prepared during the transaction, never written
  const second = onDisk();
  enforced = second;
  h.feed.body = '192.0.2.1\n192.0.2.3\n192.0.2.5\n192.0.2.7\n';
  h.backend.refuseNext('Error: Could not process rule: Cannot allocate memory', 2);
  await t.throwsAsync(() => h.feature.refresh());
  t.is(onDisk(), second, 'the snapshot still holds what the kernel enforces');
});

test('a refused update of a few lines leaves nothing it wrote ahead; taken, its change is saved beside the base', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'utm-seam-'));
  const db = openDb(':memory:', everyMigration);
  t.teardown(() => {
    db.close();
    rmSync(stateDir, { recursive: true, force: true });
  });
  const lines = Array.from({ length: 40 }, (_, i) => `198.51.100.${2 * i + 1}`);
  const h = await bootOneFeed(stateDir, db, `${lines.join('\n')}\n`);
  t.true(await h.applyFull());
  t.is((await h.feature.refresh())[0]?.result, 'loaded');
  const files = (): string[] => readdirSync(join(stateDir, 'blocklist', 'feeds')).sort();
  t.deepEqual(files(), ['lab-c2.snap']);
  // one line of 40 changed: a delta, written while the (refused) transaction ran
  h.feed.body = `${[...lines.slice(1), '203.0.113.9'].join('\n')}\n`;
  h.backend.refuseNext('Error: Could not process rule: Cannot allocate memory', 2);
  await t.throwsAsync(() => h.feature.refresh());
  // what was written ahead is gone when the refusal is reported, and does not turn up later
  for (let i = 0; i < 40; i++) {
    t.deepEqual(files(), ['lab-c2.snap'], 'no delta, no file written ahead left');
    await new Promise((r) => setTimeout(r, 5));
  }
  t.is((await h.feature.refresh())[0]?.result, 'loaded');
  t.deepEqual(files(), ['lab-c2.delta', 'lab-c2.snap']);
  t.is((await new LastGoodStore(stateDir).loadAll(() => t.fail()))[0]?.usable, 40);
});
