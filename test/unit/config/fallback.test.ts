import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeRefusal, LAST_GOOD_CONFIG, LAST_GOOD_PROVISIONING, loadConfigWithFallback, loadProvisioningWithFallback, refusalConditionId, refusalFinding, refusedFields,
} from '../../../firmware/src/config/fallback.js';

function dirs(t: { teardown: (fn: () => void) => void }): { state: string; etc: string } {
  const root = mkdtempSync(join(tmpdir(), 'utm-fallback-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  return { state: join(root, 'state'), etc: root };
}

const noProblem = (what: string, e: unknown): never => {
  throw new Error(`unexpected problem: ${what}: ${String(e)}`);
};

test('an accepted config is kept as last-good (0600); a refused one runs on it and says why', async (t) => {
  const d = dirs(t);
  const file = join(d.etc, 'utmd.json');
  writeFileSync(file, JSON.stringify({ mode: 'router', ui: { port: 8080 } }));
  const ok = await loadConfigWithFallback(file, d.state, noProblem);
  t.is(ok.refusal, null);
  t.is(ok.value.ui.port, 8080);
  const copy = join(d.state, LAST_GOOD_CONFIG);
  t.is(readFileSync(copy, 'utf8'), readFileSync(file, 'utf8'));
  t.is(statSync(copy).mode & 0o777, 0o600);
  t.is(statSync(d.state).mode & 0o777, 0o700);

  writeFileSync(file, JSON.stringify({ mode: 'router', ui: { port: 'eighty' }, upstrem: {} }));
  const bad = await loadConfigWithFallback(file, d.state, noProblem);
  t.is(bad.value.ui.port, 8080, 'the last accepted config runs');
  t.is(bad.value.mode, 'router');
  t.like(bad.refusal, { kind: 'config', file, using: 'last_good' });
  t.true(bad.refusal!.problems.some((p) => p.includes('upstrem')));
  t.true(bad.refusal!.problems.some((p) => p.startsWith('ui.port')));
  t.is(readFileSync(copy, 'utf8'), JSON.stringify({ mode: 'router', ui: { port: 8080 } }), 'the refused file never replaces last-good');
  t.regex(describeRefusal(bad.refusal!), /refused \[ui\.port, upstrem\] \(.*upstrem.*\); running on the last accepted config/);
});

test('no last-good copy: the defaults (config) or unprovisioned (bundle), and it says so', async (t) => {
  const d = dirs(t);
  const file = join(d.etc, 'utmd.json');
  writeFileSync(file, '{ not json');
  const c = await loadConfigWithFallback(file, d.state, noProblem);
  t.is(c.value.mode, 'auto');
  t.like(c.refusal, { using: 'defaults' });
  t.regex(describeRefusal(c.refusal!), /defaults \(still forwarding\)/);
  const p = await loadProvisioningWithFallback(join(d.etc, 'missing.json'), d.state, noProblem);
  t.is(p.value, null);
  t.like(p.refusal, { kind: 'provisioning', using: 'defaults' });
  t.regex(describeRefusal(p.refusal!), /unprovisioned/);
});

test('a bundle: accepted, kept, then used when the next one is refused', async (t) => {
  const d = dirs(t);
  const file = join(d.etc, 'prov.json');
  const bundle = { version: 1, deviceId: 'box-1', upstream: { host: '198.51.100.10' }, desk: { name: 'desk', phone: '0120' }, admin: { passwordHash: 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=' } };
  writeFileSync(file, JSON.stringify(bundle));
  t.is((await loadProvisioningWithFallback(file, d.state, noProblem)).value?.deviceId, 'box-1');
  t.truthy(readFileSync(join(d.state, LAST_GOOD_PROVISIONING)));
  writeFileSync(file, JSON.stringify({ ...bundle, upstream: { host: 'not an address' } }));
  const r = await loadProvisioningWithFallback(file, d.state, noProblem);
  t.is(r.value?.upstream.host, '198.51.100.10', 'upstream keeps going to the last accepted collector');
  t.like(r.refusal, { kind: 'provisioning', using: 'last_good' });
});

test('nothing configured is not a refusal', async (t) => {
  const d = dirs(t);
  t.is((await loadConfigWithFallback(undefined, d.state, noProblem)).refusal, null);
  t.is((await loadProvisioningWithFallback(undefined, d.state, noProblem)).value, null);
});

test('a refusal becomes a config_refused alert naming the refused fields in short', (t) => {
  const problems = ['(top level): unknown key(s) "upstrem", "modee"', 'ui.port: Invalid input: expected number, received string', 'interfaces.lan.0: bad name'];
  t.is(refusedFields(problems), 'upstrem, modee, ui.port, interfaces.lan.0');
  t.is(refusedFields(['ui: unknown key(s) "prot"']), 'ui.prot');
  t.is(refusedFields(['(top level): not valid JSON (Unexpected token n)']), 'not valid JSON');
  const r = { kind: 'config' as const, file: '/etc/utmd.json', problems, using: 'last_good' as const };
  const f = refusalFinding(r, 1000);
  t.like(f, { kind: 'config_refused', severity: 'warning', dedupKey: refusalConditionId(r), params: { file: 'config', using: 'last_good', fields: 'upstrem, modee, ui.port, interfaces.lan.0' } });
  t.deepEqual(f.evidence['problems'], problems);
  t.regex(describeRefusal(r), /\[upstrem, modee, ui\.port, interfaces\.lan\.0\]/);
});
