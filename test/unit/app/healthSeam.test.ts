// Health through the ruleset seam, with the dry-run backend (no root): a refused apply, and an
// apply whose read-back differs from what was rendered, each leave the previous ruleset as
// last-good, turn the `ruleset` condition bad with nft's words, become the page's
// ruleset_failed alert, and show in `utmctl ruleset check`; the next good apply clears it.
import test from 'ava';
import { AppService } from '../../../firmware/src/app/appService.js';
import { Conditions, type Condition } from '../../../firmware/src/app/conditions.js';
import { conditionFinding } from '../../../firmware/src/app/health.js';
import { DryRunBackend } from '../../../firmware/src/nft/dryRun.js';
import { BASE, PLAN, quietLog, testConfig } from '../../helpers/daemon.js';

function service(): { app: AppService; backend: DryRunBackend; conditions: Conditions; changes: Condition[] } {
  let backend: DryRunBackend | null = null;
  const conditions = new Conditions(() => 1_000);
  const changes: Condition[] = [];
  conditions.onChange((c) => changes.push(c));
  const app = new AppService({
    config: testConfig(), provisioning: null, base: BASE, log: quietLog, now: () => 1_000, conditions, features: [],
    nft: (serialize) => (backend = new DryRunBackend(BASE.tableName, serialize)),
  });
  if (!backend) throw new Error('the service did not build its backend');
  return { app, backend, conditions, changes };
}

const ruleset = (c: Conditions): Condition | undefined => c.list().find((x) => x.id === 'ruleset');

test('a refused apply keeps the last-good ruleset, fails the ruleset condition with nft\'s words and alerts; the next apply recovers', async (t) => {
  const { app, backend, conditions, changes } = service();
  t.true(await app.firstApply(PLAN, 0));
  t.true(ruleset(conditions)?.ok);
  const good = backend.lastGoodDocument();
  t.truthy(good);

  backend.refuseNext('Error: Could not process rule: No space left on device');
  t.false(await app.apply());
  const bad = ruleset(conditions);
  t.false(bad?.ok);
  t.regex(bad?.detail ?? '', /No space left on device/);
  t.is(backend.lastGoodDocument(), good, 'last-good is still the previous ruleset');
  const finding = bad ? conditionFinding(bad, null) : null;
  t.is(finding?.kind, 'ruleset_failed');
  t.is(finding?.severity, 'warning');
  const check = await app.check();
  t.regex(check.lastApplyError ?? '', /No space left on device/);

  t.true(await app.apply());
  t.true(ruleset(conditions)?.ok);
  t.deepEqual(changes.filter((c) => c.id === 'ruleset').map((c) => c.ok), [true, false, true], 'down once, up once');
});

test('a read-back that differs from the rendered ruleset is a failed apply, and ruleset check names the drift', async (t) => {
  const { app, backend, conditions } = service();
  t.true(await app.firstApply(PLAN, 0));
  // another program removes our chains' rules behind our back
  backend.onReadBack = (d) => ({ nftables: d.nftables.filter((o) => !(typeof o === 'object' && o !== null && 'rule' in o)) });
  t.false(await app.apply());
  t.regex(ruleset(conditions)?.detail ?? '', /read back differs/);
  const check = await app.check();
  t.false(check.ok);
  t.true(check.drift.length > 0);
  t.true(check.drift.every((d) => /has 0 rules, expected \d+/.test(d)), check.drift.join('; '));
  backend.onReadBack = null;
  t.true(await app.apply());
  t.true((await app.check()).ok);
});
