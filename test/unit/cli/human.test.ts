import test from 'ava';
import { printHuman } from '../../../firmware/src/cli/human.js';
import type { Alert } from '../../../firmware/src/alerts/types.js';
import { durationText } from '../../../webui/src/i18n/upstream.js';
import { staffText } from '../../../webui/src/i18n/staffText.js';
import { buildCatalog, explainAlert } from '../../../webui/src/index.js';

const print = (cmd: string, r: unknown): string => { let s = ''; printHuman(cmd, r, (x) => { s += x; }, { duration: (ms) => durationText(ms, 'en') }); return s; };

test('utmctl names prints address, name, CNAME end and expiry, escaping hostile names', (t) => {
  const out = print('traffic.names', { names: [
    { ip: '203.0.113.201', name: 'c2.example', canonical: 'edge.example.net', expires: Date.UTC(2026, 10, 26, 18, 0, 0) },
    { ip: '203.0.113.202', name: 'evil\u001b[2J\u202e.example', expires: 0 },
  ], total: 3 });
  t.regex(out, /^203\.0\.113\.201\s+c2\.example \(→ edge\.example\.net\)  until 2026-11-26 18:00:00$/m);
  t.true(out.includes('evil\\x1b[2J\\u{202e}.example'));
  t.false(out.includes('\u001b'));
  t.true(out.includes('(2 of 3 shown'));
  t.is(print('traffic.names', { names: [] }), 'no names learned\n');
});

test('alerts and incidents show the remote\'s name beside its address, escaped', (t) => {
  const a: Alert = {
    id: 7, kind: 'beacon', severity: 'danger', dedupKey: 'k', device: { ip: '192.168.77.101' }, remote: { ip: '203.0.113.201', port: 443 },
    direction: 'outbound', action: 'watched', count: 1, firstSeen: 0, lastSeen: 0, params: {}, evidence: { remoteName: 'c2.example\u0007' }, incidentId: 3,
  };
  const alerts = print('alerts', [a]);
  t.true(alerts.includes('remote 203.0.113.201 (c2.example\\x07)'));
  t.false(alerts.includes('\u0007'));
  const inc = print('incidents', [{ id: 3, device: a.device, severity: 'danger', openedAt: 0, lastAt: 0, findings: 1, kinds: ['beacon'], stages: [], alerts: [a] }]);
  t.true(inc.includes('remote 203.0.113.201 (c2.example\\x07)'));
  t.true(print('alerts', [{ ...a, evidence: {} }]).includes('remote 203.0.113.201  '));
});

test('utmctl alerts shows the words the office was told, from the one catalog, escaped', (t) => {
  const a: Alert = {
    id: 8, kind: 'blocklist_hit', severity: 'danger', dedupKey: 'k8', device: { ip: '192.168.77.101' }, remote: { ip: '203.0.113.5', port: 443 },
    direction: 'outbound', action: 'blocked', count: 1, firstSeen: 0, lastSeen: 0, params: { category: 'malware', deviceName: 'pc\u001b[2J' }, evidence: {}, incidentId: null,
  };
  const words = staffText({ name: 'Desk', phone: '0120-000-000' }).explain(a, 'en');
  t.deepEqual(words, explainAlert(a, 'en', buildCatalog(), { name: 'Desk', phone: '0120-000-000' }));
  const out = print('alerts', [{ ...a, text: { ...words, title: `${words.title}\u001b[2J` } }]);
  t.true(out.includes(`    told: ${words.title}\\x1b[2J / ${words.todo}`));
  t.false(out.includes('\u001b'));
  t.false(print('alerts', [a]).includes('told:'), 'an answer without text (older daemon) prints as before');
});

test('utmctl web cert prints the fingerprint to compare, the pin and the names; device-free but still escaped', (t) => {
  const out = print('web.cert', { source: 'generated', fingerprint256: 'AA:BB:CC', spkiSha256: 'pin=', notAfter: Date.UTC(2036, 0, 1), subjectAltName: 'IP Address:192.168.1.2\u001b[2J', httpsPort: 443 });
  t.regex(out, /SHA-256 fingerprint: AA:BB:CC/);
  t.regex(out, /public key pin \(SPKI SHA-256\): pin=/);
  t.regex(out, /certificate made by this box/);
  t.regex(out, /valid until: 2036-01-01/);
  t.false(out.includes('\u001b'));
});

test('utmctl status says what the idle collector freed, or that it is off', (t) => {
  const line = (memory: unknown): string => print('status', { memory }).split('\n').find((l) => l.startsWith('memory')) ?? '';
  t.is(line({ rssBytes: 80 * 1048576, collector: { available: true, collections: 3, freedBytes: 9 * 1048576 } }), 'memory     80 MiB RSS; idle collections 3 (9 MiB of garbage freed)');
  t.is(line({ rssBytes: 85 * 1048576, collector: { available: false, collections: 0 } }), 'memory     85 MiB RSS; idle collector off (node without --expose-gc)');
  t.is(line({ rssBytes: 85 * 1048576 }), 'memory     85 MiB RSS', 'an older utmd: no collector figures');
});
