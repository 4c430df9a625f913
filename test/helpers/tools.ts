// A test that needs a tool (shellcheck, systemd-analyze, root for namespaces, …) may skip
// on a developer's machine that lacks it, but never under CI: there a missing tool is a
// failure, so a check cannot pass by not running. The Makefile's DEBS installs the tools.
import type { ExecutionContext } from 'ava';

/** Whether this run is CI (the `CI` environment variable is set and not "0"/"false"). */
export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** Ends a test whose tool is missing: a failure under CI, a logged skip elsewhere. */
export function toolMissing(t: ExecutionContext, what: string, env: NodeJS.ProcessEnv = process.env): void {
  if (underCi(env)) {
    t.fail(`${what}: required under CI (install it; the Makefile's DEBS lists it)`);
    return;
  }
  t.log(`${what}; skipped (this fails under CI)`);
  t.pass();
}
