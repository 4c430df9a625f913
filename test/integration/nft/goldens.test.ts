// Goldens a reviewer can read (in the style of firewall4's tests): per scenario, the config
// and network facts go in (test/fixtures/ruleset/NAME.json), and what comes out is the
// problems the box reports plus the ruleset as nft itself prints it (NAME.nft). The text is
// not produced by us: the pure renderer's JSON is loaded with `nft -j -f` into a network
// namespace this test creates, and `nft -s list table …` prints it back.
// After an intended change: UPDATE_GOLDEN=1 npx ava test/integration/nft/goldens.test.ts,
// then read the diff.
import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigSchema } from '../../../firmware/src/config/schema.js';
import { planNetwork } from '../../../firmware/src/policy/network.js';
import { buildPolicy } from '../../../firmware/src/policy/build.js';
import { renderRuleset } from '../../../firmware/src/nft/render.js';
import { BasePolicySchema, type BlocklistGroup } from '../../../firmware/src/nft/policy.js';
import { manualGroup } from '../../../firmware/src/blocklist/manual.js';
import { layoutGroups, toBlocklistGroup } from '../../../firmware/src/blocklist/layout.js';
import { packRanges, splitPacked, unionPacked } from '../../../firmware/src/blocklist/packed.js';
import { parseEntry } from '../../../firmware/src/net/ip.js';
import type { NetworkFacts } from '../../../firmware/src/net/topology.js';
import { addNamespace, deleteNamespace, execIn, execInResult, newLabId } from '../../lab/netns.js';

/** Absolute: under npx, node_modules/.bin holds an unrelated `nft` (@vercel/nft). */
const NFT = '/usr/sbin/nft';
const dir = new URL('../../fixtures/ruleset/', import.meta.url);
const base = BasePolicySchema.parse(JSON.parse(readFileSync(new URL('../../../rules/base-policy.json', import.meta.url), 'utf8')));
/** Fixed clock: manual blocks are given as seconds left at this instant. */
const NOW = Date.UTC(2026, 0, 1);

const Scenario = z.object({
  about: z.string(),
  config: z.unknown(),
  facts: z.custom<NetworkFacts>((v) => typeof v === 'object' && v !== null && 'links' in v && 'addrs' in v),
  quarantine: z.array(z.string()).default([]),
  manual: z.array(z.object({ entry: z.string(), secondsLeft: z.number().int().positive() })).default([]),
  feeds: z.array(z.object({
    id: z.string(), direction: z.enum(['both', 'outbound', 'inbound']), action: z.enum(['drop', 'watch']), entries: z.array(z.string()),
  })).default([]),
});
type Scenario = z.infer<typeof Scenario>;

/** The feed groups as the blocklist feature builds them from its feeds' last-good ranges. */
function feedGroups(s: Scenario): BlocklistGroup[] {
  const layout = layoutGroups(s.feeds.map((f) => ({ ...f, enabled: true })));
  return layout.map((g) => {
    const lists = s.feeds.filter((f) => g.feedIds.includes(f.id)).map((f) => packRanges(f.entries.map((e) => parseEntry(e))));
    return toBlocklistGroup(g, splitPacked(unionPacked(lists)));
  });
}

/** What the box decides for a scenario: its problems and the nft JSON document. */
function decide(s: Scenario) {
  const config = ConfigSchema.parse(s.config);
  const plan = planNetwork(config, s.facts);
  const manual = manualGroup(s.manual.map((m) => ({ entry: m.entry, addedAt: NOW, expiresAt: NOW + m.secondsLeft * 1000, reason: 'golden' })), NOW);
  const policy = buildPolicy({ config, provisioning: null, base, plan, quarantine: s.quarantine, extraGroups: [...feedGroups(s), manual] });
  return { plan, doc: renderRuleset(policy) };
}

/** Loads the document into an empty namespace and lists our tables as nft prints them. */
async function nativeText(ns: string, tmp: string, doc: unknown): Promise<string> {
  // a file, not stdin: nft cannot open /dev/stdin when it is a socket
  const file = join(tmp, 'ruleset.json');
  writeFileSync(file, JSON.stringify(doc));
  const load = await execInResult(ns, [NFT, '-j', '-f', file]);
  // a refusal is an outcome too (the daemon keeps the previous ruleset and says so)
  if (load.code !== 0) return `# nft refused the ruleset (exit ${load.code}):\n${load.stderr.split('\n').filter(Boolean).map((l) => `#   ${l}`).join('\n')}\n`;
  const tables = (await execIn(ns, [NFT, 'list', 'tables'])).trim().split('\n').filter(Boolean).map((l) => l.split(' ').slice(1));
  let out = '';
  for (const [family, name] of tables) {
    // -s: no counter values; `expires` counts down between runs, the configured timeout stays
    out += (await execIn(ns, [NFT, '-s', 'list', 'table', family!, name!])).replace(/ expires [0-9a-z.]+/g, '');
  }
  return out;
}

function expected(plan: ReturnType<typeof planNetwork>, text: string): string {
  const head = [`# mode ${plan.mode}, WAN ${plan.ifaces.wan} (${plan.wanReason})`];
  head.push(...(plan.problems.length ? plan.problems.map((p) => `# problem: ${p}`) : ['# problems: none']));
  return `${head.join('\n')}\n${text}`;
}

const names = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();

test('there is a scenario per case the goldens are meant to cover', (t) => {
  t.deepEqual(names, ['bridge-feed', 'bridge-quarantine', 'bridge-zero-config', 'problem-no-address', 'problem-one-port', 'router', 'router-quarantine-manual']);
});

for (const name of names) {
  test(`${name}: problems and native nft text match the golden`, async (t) => {
    const s = Scenario.parse(JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')));
    const { plan, doc } = decide(s);
    const ns = `utm-gold-${newLabId()}`;
    await addNamespace(ns);
    const tmp = mkdtempSync(join(tmpdir(), 'utm-gold-'));
    t.teardown(async () => {
      rmSync(tmp, { recursive: true, force: true });
      await deleteNamespace(ns);
    });
    const got = expected(plan, await nativeText(ns, tmp, doc));
    const file = new URL(`${name}.nft`, dir);
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, got);
    t.is(got, readFileSync(file, 'utf8'));
  });
}
