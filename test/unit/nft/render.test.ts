// The pure renderer's promises, asserted on the JSON document. The readable goldens (config
// and network facts in, native nft text out) are test/integration/nft/goldens.test.ts.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { renderRuleset } from '../../../firmware/src/nft/render.js';
import { BasePolicySchema, type Policy } from '../../../firmware/src/nft/policy.js';

const dir = new URL('../../fixtures/nft/', import.meta.url);
const base = BasePolicySchema.parse(JSON.parse(readFileSync(new URL('../../../rules/base-policy.json', import.meta.url), 'utf8')));

function policy(mode: 'bridge' | 'router'): Policy {
  return { ...JSON.parse(readFileSync(new URL(`policy-${mode}.json`, dir), 'utf8')), base } as Policy;
}

const objs = (mode: 'bridge' | 'router') =>
  renderRuleset(policy(mode)).nftables.flatMap((c) => ('add' in c ? [c.add as Record<string, any>] : []));

test('only our own tables are named, and both are replaced in the same document', (t) => {
  const doc = renderRuleset(policy('router'));
  const tables = new Set<string>();
  for (const c of doc.nftables) {
    const o = ('add' in c ? c.add : 'delete' in c ? c.delete : null) as Record<string, any> | null;
    if (!o) continue;
    const body = Object.values(o)[0] as { table?: string; name?: string };
    tables.add('table' in o ? (body.name as string) : (body.table as string));
  }
  t.deepEqual([...tables], ['utm']);
  t.true(doc.nftables.some((c) => 'delete' in c && (c.delete as any).table?.family === 'bridge'), 'router mode removes a stale bridge table');
});

test('router mode masquerades on the WAN side and drops unsolicited WAN→LAN', (t) => {
  const o = objs('router');
  t.true(o.some((x) => x.rule?.chain === 'postrouting' && JSON.stringify(x.rule.expr).includes('"masquerade"')));
  const fwd = o.find((x) => x.chain?.name === 'forward')!.chain;
  t.is(fwd.policy, 'drop');
  t.true(o.some((x) => x.rule?.chain === 'forward' && JSON.stringify(x.rule.expr).includes('wan_unsolicited')));
  t.false(o.some((x) => (x.chain ?? x.rule ?? x.set)?.family === 'bridge'), 'no layer-2 table in router mode');
});

test('bridge mode keeps forwarding open (fail open) and guards the page on the WAN port', (t) => {
  const o = objs('bridge');
  t.is(o.find((x) => x.chain?.name === 'forward' && x.chain.family === 'inet')!.chain.policy, 'accept');
  const guard = o.find((x) => x.rule?.family === 'bridge' && x.rule.chain === 'input')!;
  t.regex(JSON.stringify(guard.rule.expr), /"iifname"\}\},"right":"eth0"/);
  t.regex(JSON.stringify(guard.rule.expr), /80/);
});

test('blocklist rules check the allowlist first and log with a prefix that names the reason', (t) => {
  const rules = objs('bridge').filter((x) => x.rule?.chain === 'blocklist').map((x) => JSON.stringify(x.rule.expr));
  t.is(rules.length, 8 + 4);
  for (const r of rules) t.regex(r, /"op":"!=".*"@allow_v[46]".*"op":"==".*"@bl_/);
  t.true(rules.some((r) => r.includes('"prefix":"utm:drop:out:local"') && r.includes('"drop":null')));
  t.true(rules.some((r) => r.includes('"prefix":"utm:drop:in:local"')));
  const watch = rules.filter((r) => r.includes('utm:watch:out:watch'));
  t.is(watch.length, 4);
  for (const r of watch) t.false(r.includes('"drop"'), 'watch-only never drops');
});

test('the blocklist chain runs before the conntrack shortcut in every hook', (t) => {
  const o = objs('router');
  for (const chain of ['forward', 'input']) {
    const exprs = o.filter((x) => x.rule?.chain === chain).map((x) => JSON.stringify(x.rule.expr));
    const jump = exprs.findIndex((e) => e.includes('"jump"'));
    const est = exprs.findIndex((e) => e.includes('established'));
    t.true(jump >= 0 && jump < est, chain);
  }
});

test('a group with timeouts gets timeout sets and keeps per-element timeouts', (t) => {
  const sets = objs('router').filter((x) => x.set?.name?.startsWith('bl_manual_')).map((x) => x.set);
  t.deepEqual(sets.map((s) => [s.name, s.flags]), [
    ['bl_manual_v4', ['timeout']], ['bl_manual_v4n', ['interval', 'timeout']],
    ['bl_manual_v6', ['timeout']], ['bl_manual_v6n', ['interval', 'timeout']],
  ]);
  t.deepEqual(sets[0].elem, [{ elem: { val: '203.0.113.77', timeout: 3600 } }]);
  t.false(objs('router').some((x) => x.set?.name === 'bl_local_v4' && x.set.flags), 'other groups stay plain hash sets');
});

test('office devices get kernel byte counters: dynamic sets with a counter, updated after the blocklist', (t) => {
  for (const mode of ['bridge', 'router'] as const) {
    const o = objs(mode);
    const tx = o.find((x) => x.set?.name === 'dev_tx_v4')!.set;
    t.deepEqual(tx.stmt, [{ counter: null }]);
    t.deepEqual(tx.flags, ['timeout']);
    const fwd = o.filter((x) => x.rule?.chain === 'forward' && x.rule.family === 'inet').map((x) => JSON.stringify(x.rule.expr));
    const jump = fwd.findIndex((e) => e.includes('"jump"'));
    const upd = fwd.findIndex((e) => e.includes('"op":"update"') && e.includes('@dev_tx_v4'));
    t.true(jump >= 0 && upd > jump, `${mode}: counted after the blocklist`);
    t.true(fwd.some((e) => e.includes('@dev_rx_v6')));
  }
});
