import test from 'ava';
import { toolMissing, underCi } from '../../helpers/tools.js';

test('CI is any non-empty CI variable except 0 and false', (t) => {
  t.true(underCi({ CI: 'true' }));
  t.true(underCi({ CI: '1' }));
  for (const v of [undefined, '', '0', 'false', 'FALSE']) t.false(underCi({ CI: v }), String(v));
});

test('a missing tool fails the test under CI and is a logged skip elsewhere', async (t) => {
  const ci = await t.try((tt) => toolMissing(tt, 'shellcheck not installed', { CI: 'true' }));
  const ciPassed = ci.passed;
  ci.discard();
  t.false(ciPassed);
  const dev = await t.try((tt) => toolMissing(tt, 'shellcheck not installed', {}));
  const devPassed = dev.passed;
  dev.discard();
  t.true(devPassed);
});
