// The box serves and answers (page, management, DHCP, DNS) only on office ports the evidence
// has proven: the renderer's servedPorts. Undefined keeps the old rule (every port but the WAN).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { renderRuleset } from '../../../firmware/src/nft/render.js';
import { BasePolicySchema, type Policy } from '../../../firmware/src/nft/policy.js';

const dir = new URL('../../fixtures/nft/', import.meta.url);
const base = BasePolicySchema.parse(JSON.parse(readFileSync(new URL('../../../rules/base-policy.json', import.meta.url), 'utf8')));
const policy = (mode: 'bridge' | 'router', servedPorts?: string[]): Policy =>
  ({ ...JSON.parse(readFileSync(new URL(`policy-${mode}.json`, dir), 'utf8')), base, servedPorts }) as Policy;

type Rule = { family: string; chain: string; expr: Record<string, any>[] };
const rules = (p: Policy, family: string, chain: string): Rule[] =>
  renderRuleset(p).nftables.flatMap((c) => ('add' in c && 'rule' in (c.add as object) ? [(c.add as { rule: Rule }).rule] : []))
    .filter((r) => r.family === family && r.chain === chain);
const mentions = (r: Rule, port: number): boolean => JSON.stringify(r.expr).includes(`${port}`);
const iif = (r: Rule): { op: string; right: unknown } | undefined =>
  r.expr.map((e) => e.match).find((m) => m?.left?.meta?.key === 'iifname');

test('bridge: management is dropped on every port but the proven office ports', (t) => {
  const ui = policy('bridge').uiPort;
  const drop = (p: Policy) => rules(p, 'bridge', 'input').find((r) => mentions(r, ui) && JSON.stringify(r.expr).includes('"drop"'))!;
  t.deepEqual(iif(drop(policy('bridge', ['eth1']))), { op: '!=', left: { meta: { key: 'iifname' } }, right: { set: ['eth1'] } });
  t.is(iif(drop(policy('bridge', []))), undefined, 'nothing proven: dropped on every port');
  t.like(iif(drop(policy('bridge'))), { op: '==' }, 'undefined: the old rule, on the WAN port');
});

test('router: the page and DHCP/DNS are accepted only on the proven office ports, nowhere while unproven', (t) => {
  const served = rules(policy('router', ['eth1']), 'inet', 'input').filter((r) => iif(r)?.right !== undefined && JSON.stringify(iif(r)?.right).includes('eth1'));
  t.true(served.length >= 1);
  const none = rules(policy('router', []), 'inet', 'input');
  const ui = policy('router').uiPort;
  t.false(none.some((r) => mentions(r, ui) && JSON.stringify(r.expr).includes('"accept"') && !JSON.stringify(r.expr).includes('quarantine')), 'no page rule');
  t.false(none.some((r) => JSON.stringify(r.expr).includes('"dport"') && JSON.stringify(r.expr).includes('67') && JSON.stringify(iif(r)?.right ?? '').includes('eth1')));
});
