// Secrets never reach the diagnostics archive.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { redactJson, redactText } from '../../../firmware/src/diag/redact.js';

const BUNDLE = JSON.parse(readFileSync(new URL('../../../image/provisioning.example.json', import.meta.url), 'utf8')) as { admin: { passwordHash: string } };

test('the bundle keeps its shape but loses the admin hash', (t) => {
  const r = redactJson(BUNDLE) as Record<string, unknown>;
  t.is((r.admin as Record<string, unknown>).passwordHash, '[removed]');
  t.is(r.deviceId, 'otasuke-demo-0001');
  t.false(JSON.stringify(r).includes(BUNDLE.admin.passwordHash));
});

test('text: scrypt hashes, private keys and password=… pairs are removed', (t) => {
  const text = `hash ${BUNDLE.admin.passwordHash} here\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\npassword=hunter22 token: abc\nnormal line 192.0.2.1`;
  const out = redactText(text);
  t.false(out.includes(BUNDLE.admin.passwordHash));
  t.false(out.includes('MHcCAQEE'));
  t.false(out.includes('hunter22'));
  t.false(out.includes('abc'));
  t.true(out.includes('normal line 192.0.2.1'));
});
