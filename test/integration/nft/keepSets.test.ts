// Re-applies on the real kernel keep the dynamic sets (device sightings, byte counters) and
// still switch modes cleanly. A namespace per test, created and removed here.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { run } from '../../../firmware/src/sys/run.js';
import { NftDriver } from '../../../firmware/src/nft/driver.js';
import { DYNAMIC_SETS, renderRuleset } from '../../../firmware/src/nft/render.js';
import { BasePolicySchema, type Policy } from '../../../firmware/src/nft/policy.js';

const base = BasePolicySchema.parse(JSON.parse(readFileSync(new URL('../../../rules/base-policy.json', import.meta.url), 'utf8')));
const fixture = (mode: string): Policy =>
  ({ ...JSON.parse(readFileSync(new URL(`../../fixtures/nft/policy-${mode}.json`, import.meta.url), 'utf8')), base }) as Policy;

test('router → router keeps lan_seen elements; → bridge → router switches tables and verifies', async (t) => {
  const ns = `utm-keep-${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'utm-keep-'));
  await run(['ip', 'netns', 'add', ns]);
  t.teardown(async () => {
    await run(['ip', 'netns', 'del', ns], { allowFailure: true });
    rmSync(dir, { recursive: true, force: true });
  });
  const nft = (args: string[]) => run(['ip', 'netns', 'exec', ns, '/usr/sbin/nft', ...args]);
  const driver = new NftDriver({ nft: ['ip', 'netns', 'exec', ns, '/usr/sbin/nft'], lastGoodPath: join(dir, 'last-good.json'), tableName: 'utm' });

  t.deepEqual((await driver.apply(renderRuleset(fixture('router')), DYNAMIC_SETS)).kept, [], 'nothing to keep on a first apply');
  await nft(['add', 'element', 'inet', 'utm', 'lan_seen', '{ 02:00:00:00:00:0a . 192.168.77.10 }']);
  const second = await driver.apply(renderRuleset(fixture('router')), DYNAMIC_SETS);
  t.true(second.kept.includes('inet lan_seen'));
  t.regex((await nft(['list', 'set', 'inet', 'utm', 'lan_seen'])).stdout, /02:00:00:00:00:0a \. 192\.168\.77\.10/, 'the sighting survived');
  // the re-apply replaced everything else: exactly one copy of each chain
  t.is((await nft(['list', 'table', 'inet', 'utm'])).stdout.match(/chain forward/g)?.length, 1);

  const bridge = await driver.apply(renderRuleset(fixture('bridge')), DYNAMIC_SETS);
  t.true(bridge.kept.includes('inet lan_seen'), 'lan_seen lives in the inet table in both modes: the sighting is kept across the change');
  t.regex((await nft(['list', 'set', 'inet', 'utm', 'lan_seen'])).stdout, /02:00:00:00:00:0a \. 192\.168\.77\.10/);
  t.regex((await nft(['list', 'tables'])).stdout, /table bridge utm/);
  await driver.apply(renderRuleset(fixture('router')), DYNAMIC_SETS);
  t.notRegex((await nft(['list', 'tables'])).stdout, /table bridge utm/, 'back to router: the bridge table is gone');
});
