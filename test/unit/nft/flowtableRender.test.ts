// The flowtable in the rendered document (router mode, only when the probe offered one).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { renderRuleset } from '../../../firmware/src/nft/render.js';
import { BasePolicySchema, type Policy } from '../../../firmware/src/nft/policy.js';

const dir = new URL('../../fixtures/nft/', import.meta.url);
const base = BasePolicySchema.parse(JSON.parse(readFileSync(new URL('../../../rules/base-policy.json', import.meta.url), 'utf8')));
const policy = (mode: 'bridge' | 'router', flowtable?: string[]): Policy =>
  ({ ...JSON.parse(readFileSync(new URL(`policy-${mode}.json`, dir), 'utf8')), base, flowtable }) as Policy;
type Add = Record<string, { chain?: string; name?: string; expr?: unknown; dev?: string[]; flags?: string[] }>;
const adds = (p: Policy): Add[] => renderRuleset(p).nftables.flatMap((c) => ('add' in c ? [c.add as unknown as Add] : []));

test('router mode with a flowtable offered: one flowtable with counter on the ports, offloading from the first forward rule', (t) => {
  const o = adds(policy('router', ['eth0', 'eth1']));
  const ft = o.filter((x) => x.flowtable).map((x) => x.flowtable);
  t.is(ft.length, 1);
  t.deepEqual(ft[0]?.dev, ['eth0', 'eth1']);
  t.deepEqual(ft[0]?.flags, ['counter'], 'conntrack keeps counting offloaded bytes (per-device counts)');
  const fwd = o.filter((x) => x.rule?.chain === 'forward').map((x) => JSON.stringify(x.rule?.expr));
  t.regex(fwd[0] ?? '', /"flow":\{"op":"add","flowtable":"@ft"\}/);
  t.regex(fwd[0] ?? '', /established/, 'only established flows are offloaded: a first packet always meets the lists');
  t.regex(fwd[1] ?? '', /\["established"\].*"accept"/, 'the fast path follows (related packets after the quarantine)');
});

test('no flowtable unless offered, and never in bridge mode', (t) => {
  for (const p of [policy('router'), policy('router', []), policy('bridge', ['eth0', 'eth1'])]) {
    const s = JSON.stringify(renderRuleset(p));
    t.notRegex(s, /flowtable/);
  }
});
