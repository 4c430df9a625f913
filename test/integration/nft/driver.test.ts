// The nft driver against the real kernel, inside a namespace this test creates and removes.
import test, { type ExecutionContext } from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { run } from '../../../firmware/src/sys/run.js';
import { NftDriver, NftError } from '../../../firmware/src/nft/driver.js';
import { renderRuleset } from '../../../firmware/src/nft/render.js';
import { BasePolicySchema, type Policy } from '../../../firmware/src/nft/policy.js';

const base = BasePolicySchema.parse(JSON.parse(readFileSync(new URL('../../../rules/base-policy.json', import.meta.url), 'utf8')));
const fixture = (mode: string): Policy =>
  ({ ...JSON.parse(readFileSync(new URL(`../../fixtures/nft/policy-${mode}.json`, import.meta.url), 'utf8')), base }) as Policy;

async function withNs(t: ExecutionContext, fn: (ns: string, driver: NftDriver, dir: string) => Promise<void>) {
  const ns = `utm-drv-${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'utm-drv-'));
  await run(['ip', 'netns', 'add', ns]);
  t.teardown(async () => {
    await run(['ip', 'netns', 'del', ns], { allowFailure: true });
    rmSync(dir, { recursive: true, force: true });
  });
  const driver = new NftDriver({ nft: ['ip', 'netns', 'exec', ns, '/usr/sbin/nft'], lastGoodPath: join(dir, 'last-good.json'), tableName: 'utm' });
  await fn(ns, driver, dir);
}

// `expires` of timed elements (manual blocks) counts down between two listings: not a change
const nftText = async (ns: string) => (await run(['ip', 'netns', 'exec', ns, '/usr/sbin/nft', 'list', 'ruleset'])).stdout.replace(/ expires \S+/g, '');

for (const mode of ['bridge', 'router']) {
  test(`${mode}: the rendered ruleset passes nft -c, applies, verifies and becomes last-good`, async (t) => {
    await withNs(t, async (ns, driver, dir) => {
      const doc = renderRuleset(fixture(mode));
      await driver.check(doc);
      await driver.apply(doc);
      const text = await nftText(ns);
      t.regex(text, /table inet utm/);
      t.is(/table bridge utm/.test(text), mode === 'bridge');
      t.regex(text, /log prefix "utm:drop:out:local" group 1/);
      t.deepEqual(JSON.parse(readFileSync(join(dir, 'last-good.json'), 'utf8')), doc);
      // Re-applying is idempotent: the table is replaced, not duplicated.
      await driver.apply(doc);
      t.is((await nftText(ns)).match(/table inet utm/g)?.length, 1);
    });
  });
}

/** The router fixture applied: the kernel's text and last-good's, to compare after a failed apply. */
async function appliedRouter(ns: string, driver: NftDriver, dir: string): Promise<{ before: string; lastGood: string }> {
  await driver.apply(renderRuleset(fixture('router')));
  return { before: await nftText(ns), lastGood: readFileSync(join(dir, 'last-good.json'), 'utf8') };
}

test('a broken apply leaves the previous ruleset in the kernel and last-good on disk', async (t) => {
  await withNs(t, async (ns, driver, dir) => {
    const { before, lastGood } = await appliedRouter(ns, driver, dir);
    // Overlapping intervals are refused by the kernel: a realistic bad element.
    const p = fixture('router');
    p.blocklists[0]!.v4.net.push({ prefix: { addr: '198.51.100.0', len: 24 } });
    const bad = renderRuleset(p);
    const err = await t.throwsAsync(driver.apply(bad), { instanceOf: NftError });
    t.truthy(err?.stderr, 'nft stderr is carried');
    t.is(await nftText(ns), before);
    t.is(readFileSync(join(dir, 'last-good.json'), 'utf8'), lastGood);
    t.false(readFileSync(join(dir, 'last-good.json'), 'utf8').includes('198.51.100.0"'));
  });
});

test('a last-good that cannot be written (a full state dir) does not stop the apply: the older one stays whole, and saveLastGood writes the new one once it can', async (t) => {
  await withNs(t, async (ns, driver, dir) => {
    const { lastGood } = await appliedRouter(ns, driver, dir);
    const p = fixture('router');
    p.blocklists[0]!.v4.single.push('192.0.2.77');
    const next = renderRuleset(p);
    // the driver's temp file taken by a directory: its write fails as on a full disk (root
    // ignores permissions, so a read-only mode would not)
    const tmp = join(dir, `last-good.json.tmp-${process.pid}`);
    mkdirSync(tmp);
    const report = await driver.apply(next);
    t.truthy(report.unsaved, 'the report says the copy is not saved');
    t.regex(await nftText(ns), /192\.0\.2\.77/, 'the kernel took the new ruleset');
    t.is(readFileSync(join(dir, 'last-good.json'), 'utf8'), lastGood, 'the older last-good is whole');
    await t.throwsAsync(driver.saveLastGood(), undefined, 'still cannot be written');
    t.is(readFileSync(join(dir, 'last-good.json'), 'utf8'), lastGood);
    rmSync(tmp, { recursive: true });
    await driver.saveLastGood();
    t.true(readFileSync(join(dir, 'last-good.json'), 'utf8').includes('192.0.2.77'), 'saved once it can be');
    t.false(existsSync(tmp), 'no temp file left');
    // nothing pending any more: a second call leaves the file as it is, a later apply saves itself
    await driver.saveLastGood();
    const q = fixture('router');
    q.blocklists[0]!.v4.single.push('192.0.2.78');
    t.falsy((await driver.apply(renderRuleset(q))).unsaved);
    t.true(readFileSync(join(dir, 'last-good.json'), 'utf8').includes('192.0.2.78'));
  });
});

test('tables we do not own are never touched', async (t) => {
  await withNs(t, async (ns, driver) => {
    await run(['ip', 'netns', 'exec', ns, '/usr/sbin/nft', 'add table inet other; add chain inet other c { type filter hook input priority 10; }; add rule inet other c counter']);
    await driver.apply(renderRuleset(fixture('bridge')));
    await driver.removeOwnTables();
    const text = await nftText(ns);
    t.regex(text, /table inet other/);
    t.notRegex(text, /table (inet|bridge) utm/);
  });
});

test('restoreLastGood re-enforces the saved document after the tables are gone', async (t) => {
  await withNs(t, async (ns, driver, dir) => {
    t.false(await driver.restoreLastGood(), 'nothing saved yet');
    await driver.apply(renderRuleset(fixture('router')));
    await driver.removeOwnTables();
    t.true(existsSync(join(dir, 'last-good.json')));
    t.true(await driver.restoreLastGood());
    t.regex(await nftText(ns), /table inet utm/);
  });
});

test('fill: each part in an nft started ahead (those waiting killed, as the OOM killer might: started afresh), all elements taken; a refused part fails the fill once every part ended', async (t) => {
  await withNs(t, async (ns, driver) => {
    t.teardown(() => driver.close());
    await run(['ip', 'netns', 'exec', ns, '/usr/sbin/nft', '-f', '-'], { stdin: 'table inet utm {\n set a { type ipv4_addr; size 65536; }\n}\n' });
    const part = (from: number, n: number) => () => Buffer.from(JSON.stringify({ nftables: [{ add: { element: { family: 'inet', table: 'utm', name: 'a', elem: Array.from({ length: n }, (_, i) => 0xc6336400 + from + i) } } }] }));
    driver.prepareFill();
    // the launchers are this driver's: kill the ones waiting (as the OOM killer might)
    await run(['pkill', '-KILL', '-f', `utm-nft-fill ip netns exec ${ns} `]); // fails when none matched
    await new Promise((r) => setTimeout(r, 100));
    let started = 0;
    await driver.fill([part(0, 100), () => null, part(100, 100)], () => started++);
    t.is(started, 1);
    const listed = JSON.parse(await driver.listSet('inet', 'a')) as { nftables: Array<{ set?: { elem?: unknown[] } }> };
    t.is(listed.nftables.find((x) => x.set)?.set?.elem?.length, 200, 'both parts taken');
    driver.prepareFill();
    const bad = () => Buffer.from(JSON.stringify({ nftables: [{ add: { element: { family: 'inet', table: 'utm', name: 'missing', elem: [1] } } }] }));
    await t.throwsAsync(driver.fill([part(200, 10), bad]), { instanceOf: NftError });
    const after = JSON.parse(await driver.listSet('inet', 'a')) as { nftables: Array<{ set?: { elem?: unknown[] } }> };
    t.is(after.nftables.find((x) => x.set)?.set?.elem?.length, 210, 'the good part ran to its end');
  });
});
