import test from 'ava';
import { secureUrl } from '../../../../webui/src/app.js';
import { renderTech } from '../../../../webui/src/views/tech.js';
import { secureLoginLink } from '../../../../webui/src/views/secureLogin.js';
import { flatten, technicianFacts, type SystemFacts } from '../../../../firmware/src/web/technician.js';
import { HOSTILE, makeAlert, T0 } from '../../../helpers/webui.js';

const SYSTEM: SystemFacts = {
  version: '1.2.3', node: 'v20.0.0', kernel: '6.12.0', daemonUptimeSeconds: 600, boxUptimeSeconds: 90_061,
  memTotalBytes: 2048 * 1024 * 1024, memFreeBytes: 1024 * 1024 * 1024, rssBytes: 80 * 1024 * 1024,
  storageFreeBytes: 500 * 1024 * 1024, storageTotalBytes: 1000 * 1024 * 1024, timeSynchronized: false, timeSource: 'not synchronised yet',
};

test('the secure page address keeps the host the visitor used and brackets IPv6', (t) => {
  t.is(secureUrl('192.168.1.2', 443), 'https://192.168.1.2/');
  t.is(secureUrl('otasuke.lan:80', 8443), 'https://otasuke.lan:8443/');
  t.is(secureUrl('[2001:db8::2]:80', 443), 'https://[2001:db8::2]/');
  t.is(secureUrl(undefined, 443), 'https://localhost/');
});

test('the plain page login block has a link and the fingerprint, no form', (t) => {
  const h = secureLoginLink('ja', 'https://192.168.1.2/', 'AA:BB').toString();
  t.false(h.includes('<form'));
  t.true(h.includes('href="https://192.168.1.2/"'));
  t.true(h.includes('AA:BB'));
  t.true(h.includes('安全なページを開く'));
});

test('technician facts: system rows, ruleset last-good agreement, sensor rates, plan and roles', (t) => {
  const f = technicianFacts({
    system: SYSTEM,
    certificate: { source: 'generated', fingerprint256: 'AA:BB', spkiSha256: 'pin=', notAfter: T0, subjectAltName: 'IP Address:192.168.1.2', httpsPort: 443 },
    plan: { mode: 'bridge', ifaces: { wan: 'eth0', lan: ['eth1'], bridge: 'br0' }, bridgePorts: ['eth0', 'eth1'], lanPrefixes: ['192.168.1.0/24'], boxAddresses: ['192.168.1.2'], gateways: ['192.168.1.1'], wanReason: 'the gateway answers on eth0', portsProven: true, servedPorts: ['eth1'], problems: ['eth2 missing'] },
    portRoles: { proven: true, wanBy: 'evidence' },
    ruleset: { renderedSha256: 'abc', lastGoodSha256: 'abc', lastGoodAt: T0, lastApplyError: null, inKernel: null },
    conditions: [{ id: 'feed:abuse', ok: true, since: T0, detail: '120 entries' }, { id: 'loss:ulogd', ok: false, since: T0, detail: '3 loss messages' }],
    feeds: {}, sensors: { counts: { packets: 600, flows: 30 } }, upstream: { connected: true, queueDepth: 0 },
  });
  const row = (rows: { label: string; value: string; ok?: boolean | undefined }[], label: string) => rows.find((r) => r.label === label);
  t.is(row(f.system, 'box uptime')?.value, '1 d 1 h 1 min');
  t.is(row(f.system, 'memory')?.value, '1024 MB free of 2048 MB; utmd 80 MB');
  t.is(row(f.system, 'time sync')?.ok, false);
  t.true(row(f.ruleset, 'last-good on disk (SHA-256)')?.ok);
  t.is(row(f.sensors, 'events: packets')?.value, '600 (60.0 per minute on average)');
  t.is(row(f.sensors, 'loss:ulogd')?.ok, false);
  t.is(row(f.feeds, 'abuse')?.value, '120 entries');
  t.is(row(f.ports, 'why this WAN port')?.value, 'the gateway answers on eth0');
  t.is(row(f.ports, 'roles.wanBy')?.value, 'evidence');
  t.is(row(f.ports, 'problem')?.ok, false);
  t.is(row(f.upstream, 'connected')?.value, 'true');
  t.is(row(f.certificate, 'SHA-256 fingerprint')?.value, 'AA:BB');
});

test('flatten is bounded in rows and depth', (t) => {
  t.is(flatten({ a: Array.from({ length: 500 }, (_, i) => ({ i })) }).length, 20);
  t.deepEqual(flatten({ a: { b: { c: { d: { e: 1 } } } } }), [{ label: 'a.b.c.d', value: '{…}' }]);
  t.is(flatten(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i])), '', 10).length, 10);
});

test('the technician view escapes device text and shows bidi and control characters as visible escapes', (t) => {
  const alert = makeAlert({ params: { deviceName: `${HOSTILE}invoice\u202Eexe.pdf\u001b[2J` }, evidence: { hostname: 'pc\u0007' } });
  const h = renderTech({ lang: 'en', timeZone: 'Asia/Tokyo', facts: null, conditions: [{ id: 'x', ok: true, since: T0, detail: 'name\u202Eevil' }], alerts: [alert], csrf: 'tok', diagnostics: true }).toString();
  t.false(h.includes('<img src=x'));
  t.false(h.includes('\u202E'), 'no raw bidi override');
  t.false(h.includes('\u001b'), 'no raw escape');
  t.true(h.includes('\\u{202e}'));
  t.true(h.includes('name="_csrf" value="tok"'));
  t.true(h.includes('Download diagnostics'));
  t.true(h.includes('<h1>'));
});
