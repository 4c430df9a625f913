// The pure renderer's promises, asserted on the JSON document. The readable goldens (config
// and network facts in, native nft text out) are test/integration/nft/goldens.test.ts.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { bridgeForwardCommands, renderRuleset } from '../../../firmware/src/nft/render.js';
import { BasePolicySchema, type Policy } from '../../../firmware/src/nft/policy.js';

const dir = new URL('../../fixtures/nft/', import.meta.url);
const base = BasePolicySchema.parse(JSON.parse(readFileSync(new URL('../../../rules/base-policy.json', import.meta.url), 'utf8')));

function policy(mode: 'bridge' | 'router'): Policy {
  return { ...JSON.parse(readFileSync(new URL(`policy-${mode}.json`, dir), 'utf8')), base } as Policy;
}

const objs = (mode: 'bridge' | 'router', quarantine?: string[]) =>
  renderRuleset({ ...policy(mode), ...(quarantine ? { quarantine } : {}) }).nftables.flatMap((c) => ('add' in c ? [c.add as Record<string, any>] : []));
const bridgeForward = (o: Record<string, any>[]): string[] =>
  o.filter((x) => x.rule?.chain === 'forward' && x.rule.family === 'bridge').map((x) => JSON.stringify(x.rule.expr));

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

test('blocklist: the allowlist is checked once per family and direction; logging only in hit chains', (t) => {
  const o = objs('bridge');
  const rulesOf = (chain: string) => o.filter((x) => x.rule?.chain === chain && x.rule.family === 'inet').map((x) => JSON.stringify(x.rule.expr));
  const top = rulesOf('blocklist');
  t.is(top.length, 4, 'v4/v6 × out/in');
  for (const r of top) t.regex(r, /"op":"!=".*"@allow_v[46]".*"jump"/);
  for (const dirChain of ['bl_out_v4', 'bl_in_v4', 'bl_out_v6', 'bl_in_v6']) {
    const jumps = rulesOf(dirChain);
    t.true(jumps.length > 0);
    for (const j of jumps) t.regex(j, /^\[\{"jump":\{"target":"bl_[a-z0-9]+_(out|in)_v[46]"\}\}\]$/, 'one jump per group, in group order');
    for (const j of jumps) {
      const lookup = /"target":"([^"]+)"/.exec(j)![1]!;
      for (const r of rulesOf(lookup)) {
        t.regex(r, /^\[\{"match":\{"op":"==","left":\{("payload"|"&":\[\{"payload").*"right":"@bl_[a-z0-9]+_v[46](n|_p\d+)?"\}\},\{"jump":\{"target":"bl_[a-z0-9]+_(out|in)"\}\}\]$/, 'one set lookup, then a jump');
        t.false(r.includes('allow'), 'the allowlist is not looked up again');
      }
    }
  }
  t.regex(rulesOf('bl_local_out').join(), /"prefix":"utm:drop:out:local".*"drop":null/);
  t.regex(rulesOf('bl_local_in').join(), /"prefix":"utm:drop:in:local"/);
  const watch = rulesOf('bl_watch_out');
  t.is(watch.length, 1);
  t.regex(watch[0]!, /utm:watch:out:watch/);
  t.false(watch[0]!.includes('"drop"'), 'watch-only never drops');
  t.is(rulesOf('bl_out_v4').filter((r) => r.includes('bl_watch_out_v4')).length, 1, 'the watch group is looked up in its direction');
  t.is(rulesOf('bl_watch_out_v4').length, 2, 'its singles and its interval set (no masked lengths)');
});

test('fast path: established packets are accepted first in every hook; the blocklist sees new connections', (t) => {
  for (const mode of ['router', 'bridge'] as const) {
    const o = objs(mode);
    for (const chain of ['forward', 'input', 'output']) {
      const exprs = o.filter((x) => x.rule?.chain === chain && x.rule.family === 'inet').map((x) => JSON.stringify(x.rule.expr));
      const est = exprs.findIndex((e) => e.includes('established'));
      const firstReal = exprs.findIndex((e) => !e.includes('"iif"'));
      t.is(est, firstReal, `${mode} ${chain}: the shortcut comes first (after loopback)`);
      const jump = exprs.findIndex((e) => e.includes('"target":"blocklist"'));
      t.true(jump > est, `${mode} ${chain}: the blocklist after it`);
    }
  }
});

test('no rule writes a dynamic set on every packet: sightings are added only when absent; no byte-counter sets', (t) => {
  for (const mode of ['bridge', 'router'] as const) {
    const o = objs(mode);
    t.false(o.some((x) => x.set?.name?.startsWith('dev_')), `${mode}: per-device bytes come from conntrack accounting`);
    const writes = o.filter((x) => x.rule && JSON.stringify(x.rule.expr).includes('"set":{"op"'));
    t.true(writes.length > 0);
    for (const w of writes) {
      const e = JSON.stringify(w.rule.expr);
      t.false(e.includes('"op":"update"'), e);
      t.regex(e, /"op":"!=","left":\{"concat".*"right":"@(lan_seen6?)".*"op":"add".*"set":"@\1"/, 'looked up first, added only when missing');
    }
  }
});

test('bridge quarantine, nothing quarantined: IP and ARP frames leave the bridge table before any lookup; IP meets the quarantine in the inet table on new and related packets only', (t) => {
  const o = objs('bridge', []);
  const fwd = bridgeForward(o);
  const pass = fwd.findIndex((e) => e.includes('"accept"'));
  t.regex(fwd[pass]!, /"payload":\{"protocol":"ether","field":"type"\}.*"set":\["ip","ip6","arp"\].*"accept"/);
  const q = fwd.filter((e) => e.includes('@quarantine'));
  t.is(q.length, 2);
  t.true(fwd.indexOf(q[0]!) > pass, 'the lookups only for other ether types');
  t.regex(q[0]!, /"op":"!=","left":\{"meta":\{"key":"iifname"\}\},"right":"eth0".*"saddr".*"@quarantine".*"counter":"quarantine_out".*"drop"/);
  t.regex(q[1]!, /"op":"!=","left":\{"meta":\{"key":"oifname"\}\},"right":"eth0".*"daddr".*"@quarantine".*"drop"/);
  const inet = o.filter((x) => x.rule?.chain === 'forward' && x.rule.family === 'inet').map((x) => JSON.stringify(x.rule.expr));
  t.regex(inet[0]!, /"ct":\{"key":"state"\}\},"right":\["established"\]\}\},\{"accept"/, 'established packets leave first');
  const iq = inet.filter((e) => e.includes('@quarantine'));
  t.is(iq.length, 2);
  t.regex(iq[0]!, /"saddr".*quarantine_from/);
  t.regex(iq[1]!, /"daddr".*quarantine_to/);
  const related = inet.findIndex((e) => e.includes('"related"'));
  t.true(related > inet.indexOf(iq[1]!), 'related packets only after the quarantine');
  t.true(o.some((x) => x.set?.name === 'quarantine' && x.set.family === 'inet'), 'the inet table has its copy of the set');
  const allowed = o.filter((x) => x.rule?.chain === 'quarantine_from' && x.rule.family === 'inet').map((x) => JSON.stringify(x.rule.expr));
  t.regex(allowed.join(), /nd-neighbor-solicit.*"dport".*53,67,68,546,547.*"tcp","field":"dport"\}\},"right":\{"set":\[53\]/);
});

test('bridge quarantine, a device quarantined: the bridge forward chain is armed (both lookups before IP and ARP leave), with as many rules; a quarantine change writes the same rules', (t) => {
  const o = objs('bridge', ['02:00:00:00:00:01']);
  const fwd = bridgeForward(o);
  t.is(fwd.length, bridgeForward(objs('bridge', [])).length, 'a read-back that counts rules sees no drift');
  t.regex(fwd[0]!, /"mark"/, 'the office mark first');
  t.regex(fwd[1]!, /"op":"!=","left":\{"meta":\{"key":"iifname"\}\},"right":"eth0".*"saddr".*"@quarantine".*"jump":\{"target":"quarantine_from"\}/);
  t.regex(fwd[2]!, /"op":"!=","left":\{"meta":\{"key":"oifname"\}\},"right":"eth0".*"daddr".*"@quarantine".*"jump":\{"target":"quarantine_to"\}/);
  t.is(fwd[3], '[{"accept":null}]', 'then a bare accept (the policy anyway): no third lookup per frame');
  // what a quarantined device keeps, per frame; every accept names its ether type (a VLAN tag reads as 0x8100)
  for (const [chain, port, drop] of [['quarantine_from', 'dport', /"counter":"quarantine_out"/], ['quarantine_to', 'sport', /"counter":\{/]] as const) {
    const r = o.filter((x) => x.rule?.chain === chain && x.rule.family === 'bridge').map((x) => JSON.stringify(x.rule.expr));
    t.is(r.length, 5, chain);
    for (const e of r.slice(0, 4)) t.regex(e, /^\[\{"match":\{"op":"==","left":\{"payload":\{"protocol":"ether","field":"type"\}\}.*"accept"/, chain);
    t.regex(r.join(), new RegExp(`"arp".*nd-neighbor-solicit.*"${port}"\\}\\},"right":\\{"set":\\[53,67,68,546,547\\]`), chain);
    t.regex(r[4]!, drop, chain);
    t.regex(r[4]!, /"drop"/, chain);
  }
  // the quarantine change's rewrite (devices/quarantineSet.ts) is the full render's chain, either form
  for (const q of [[], ['02:00:00:00:00:01']]) {
    const p = policy('bridge');
    const cmds = bridgeForwardCommands('utm', p.ifaces, q.length > 0);
    t.deepEqual(cmds[0], { flush: { chain: { family: 'bridge', table: 'utm', name: 'forward' } } });
    t.deepEqual(cmds.slice(1).map((c) => JSON.stringify((c as any).add.rule.expr)), bridgeForward(objs('bridge', q)));
  }
});

test('a quarantined device\'s dropped outgoing traffic is counted in a named counter in both modes', (t) => {
  // bridge mode: IP in the inet table; in the bridge table, other frames while nothing is
  // quarantined, every frame of the device while the forward chain is armed
  for (const [mode, family, chain, q] of [['router', 'inet', 'forward', undefined], ['bridge', 'inet', 'quarantine_from', undefined],
    ['bridge', 'bridge', 'forward', []], ['bridge', 'bridge', 'quarantine_from', ['02:00:00:00:00:01']]] as const) {
    const o = objs(mode, q ? [...q] : undefined);
    t.true(o.some((x) => x.counter?.name === 'quarantine_out' && x.counter.family === family), `${mode}: counter declared`);
    const drops = o.filter((x) => x.rule?.chain === chain && x.rule.family === family && JSON.stringify(x.rule.expr).includes('"drop"'))
      .map((x) => JSON.stringify(x.rule.expr)).filter((e) => chain !== 'forward' || /"saddr"\}\},"right":"@quarantine"/.test(e));
    t.is(drops.length, 1, mode);
    t.regex(drops[0]!, /"counter":"quarantine_out".*"drop"/, mode);
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

test('bridge sightings: the bridge table only marks frames from office ports (one rule, no lookup); the inet table records marked new connections below its fast path', (t) => {
  const o = objs('bridge');
  const brFwd = o.filter((x) => x.rule?.chain === 'forward' && x.rule.family === 'bridge').map((x) => JSON.stringify(x.rule.expr));
  t.false(o.some((x) => x.set?.family === 'bridge' && String(x.set.name).startsWith('lan_seen')), 'no sightings set in the bridge table');
  t.false(brFwd.some((e) => e.includes('@lan_seen')), 'no lookup for every frame');
  const marks = brFwd.filter((e) => e.includes('"mangle"'));
  t.is(marks.length, 1);
  t.regex(marks[0]!, /"iifname".*"mangle":\{"key":\{"meta":\{"key":"mark"\}\},"value":\{"\|"/);
  const inetFwd = o.filter((x) => x.rule?.chain === 'forward' && x.rule.family === 'inet').map((x) => JSON.stringify(x.rule.expr));
  const seen = inetFwd.map((e, i) => [e, i] as const).filter(([e]) => e.includes('"op":"add"') && e.includes('@lan_seen'));
  t.deepEqual(seen.map(([e]) => /"set":"@(lan_seen6?)"/.exec(e)?.[1]), ['lan_seen', 'lan_seen6']);
  for (const [e, i] of seen) {
    t.regex(e, /"&":\[\{"meta":\{"key":"mark"\}\}/, 'only frames the bridge table marked as the office\'s');
    t.true(i >= 2, 'below the fast path: new connections only');
  }
});
