// The quarantine set's incremental changes against the dry-run backend and the daemon's apply
// queue: in bridge mode the bridge forward chain is armed exactly while the set holds a MAC,
// in the same transaction as the set change, and a full render of the same quarantine gives
// the same chain whichever came first.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { ApplyQueue } from '../../../firmware/src/app/applyQueue.js';
import { QuarantineSet, quarantinedAfter } from '../../../firmware/src/devices/quarantineSet.js';
import { DryRunBackend } from '../../../firmware/src/nft/dryRun.js';
import { renderRuleset } from '../../../firmware/src/nft/render.js';
import { BasePolicySchema, type Policy } from '../../../firmware/src/nft/policy.js';
import { verifyReadBack } from '../../../firmware/src/nft/verify.js';
import type { ActionRequest } from '../../../firmware/src/devices/model.js';

const base = BasePolicySchema.parse(JSON.parse(readFileSync(new URL('../../../rules/base-policy.json', import.meta.url), 'utf8')));
const policy = (mode: 'bridge' | 'router', quarantine: string[]): Policy =>
  ({ ...JSON.parse(readFileSync(new URL(`../../fixtures/nft/policy-${mode}.json`, import.meta.url), 'utf8')), base, quarantine }) as Policy;
const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const add = (mac: string): ActionRequest => ({ type: 'quarantine_add', mac });
const remove = (mac: string): ActionRequest => ({ type: 'quarantine_remove', mac });

function harness(mode: 'bridge' | 'router') {
  const queue = new ApplyQueue();
  const nft = new DryRunBackend('utm', (fn) => queue.exclusive(fn));
  const results: boolean[] = [];
  const p = policy(mode, []);
  const qset = new QuarantineSet({ ruleset: nft, plan: () => ({ mode, ifaces: p.ifaces }), onResult: (ok) => results.push(ok) });
  /** The bridge forward chain's rules as the kernel would hold them. */
  const forward = async (): Promise<string[]> => (await nft.readBack()).nftables
    .flatMap((o) => { const r = (o as { rule?: { family: string; chain: string; expr: unknown } }).rule; return r?.family === 'bridge' && r.chain === 'forward' ? [JSON.stringify(r.expr)] : []; });
  const rendered = (q: string[]): string[] => renderRuleset(policy(mode, q)).nftables
    .flatMap((c) => { const r = ('add' in c ? (c.add as { rule?: { family: string; chain: string; expr: unknown } }).rule : undefined); return r?.family === 'bridge' && r.chain === 'forward' ? [JSON.stringify(r.expr)] : []; });
  return { nft, qset, results, forward, rendered };
}

test('quarantinedAfter: adds and removals in order, MACs in lower case', (t) => {
  t.deepEqual(quarantinedAfter([A.toUpperCase()], [add(B), remove(A)]), [B]);
  t.deepEqual(quarantinedAfter([], [add(A), remove(A)]), []);
});

test('bridge: the first quarantined MAC arms the forward chain, the last release disarms it, each in the set change\'s own transaction', async (t) => {
  const h = harness('bridge');
  await h.nft.apply(renderRuleset(policy('bridge', [])));
  t.deepEqual(await h.forward(), h.rendered([]), 'nothing quarantined: disarmed');
  t.true(await h.qset.enqueue([add(A)]));
  t.deepEqual(await h.forward(), h.rendered([A]), 'armed');
  t.deepEqual(h.nft.elements('bridge', 'quarantine'), [A]);
  t.true(await h.qset.enqueue([add(B)]));
  t.true(await h.qset.enqueue([remove(A)]));
  t.deepEqual(await h.forward(), h.rendered([B]), 'still armed: B is quarantined');
  t.true(await h.qset.enqueue([remove(B)]));
  t.deepEqual(await h.forward(), h.rendered([]), 'disarmed again');
  t.deepEqual(h.nft.elements('bridge', 'quarantine'), []);
  // each change was one transaction holding both the set change and the chain's rewrite
  const txs = h.nft.transactions.filter((x) => x.kind === 'transact');
  t.is(txs.length, 4);
  for (const x of txs) t.regex(x.doc, /"element".*"flush":\{"chain":\{"family":"bridge","table":"utm","name":"forward"\}\}/);
  // a read-back against the render of the last full apply (nothing quarantined) sees no drift
  t.deepEqual(verifyReadBack(renderRuleset(policy('bridge', [])), await h.nft.readBack(), 'utm'), []);
  t.deepEqual(h.results, [true, true, true, true]);
});

test('bridge: quarantine then full re-apply, or full apply with the device already quarantined then a change, give the armed form', async (t) => {
  const h = harness('bridge');
  await h.nft.apply(renderRuleset(policy('bridge', [])));
  await h.qset.enqueue([add(A)]);
  const afterChange = await h.forward();
  await h.nft.apply(renderRuleset(policy('bridge', [A]))); // a re-apply (or a restart) renders the state
  t.deepEqual(await h.forward(), afterChange, 'the full render arms as the change did');
  const h2 = harness('bridge');
  await h2.nft.apply(renderRuleset(policy('bridge', [A]))); // start with A quarantined
  t.deepEqual(await h2.forward(), afterChange);
  await h2.qset.enqueue([add(A)]); // the change arriving after the apply that already holds it
  t.deepEqual(await h2.forward(), afterChange);
  // a restart restores the last-good document first: it carries the chain that matched its set
  const h3 = new DryRunBackend('utm', undefined, h2.nft.lastGoodDocument());
  t.true(await h3.restoreLastGood());
  t.deepEqual(h3.elements('bridge', 'quarantine'), [A]);
});

test('router: only the inet set changes (no bridge table)', async (t) => {
  const h = harness('router');
  await h.nft.apply(renderRuleset(policy('router', [])));
  t.true(await h.qset.enqueue([add(A)]));
  t.deepEqual(h.nft.elements('inet', 'quarantine'), [A]);
  t.notRegex(h.nft.transactions.at(-1)!.doc, /bridge|flush/);
});

test('bridge: a refused transaction changes neither the set nor the chain, and is reported', async (t) => {
  const h = harness('bridge');
  await h.nft.apply(renderRuleset(policy('bridge', [])));
  h.nft.refuseNext();
  t.false(await h.qset.enqueue([add(A)]));
  t.deepEqual(await h.forward(), h.rendered([]));
  t.deepEqual(h.nft.elements('bridge', 'quarantine'), []);
  t.deepEqual(h.results, [false]);
});
