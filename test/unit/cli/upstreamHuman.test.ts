import test from 'ava';
import { printUpstreamStatus } from '../../../firmware/src/cli/upstreamHuman.js';
import { fingerprintText } from '../../../firmware/src/upstream/fingerprint.js';
import { printHuman } from '../../../firmware/src/cli/human.js';
import type { UpstreamView } from '../../../firmware/src/app/reporting.js';
import { durationText } from '../../../webui/src/i18n/upstream.js';

const duration = (ms: number): string => durationText(ms, 'en');

const now = Date.UTC(2026, 11, 1, 12, 0, 0);
const MIN = 60_000;
const view: UpstreamView = {
  status: {
    transport: 'tls', peer: '198.51.100.10:6514', peerCertSha256: 'ab'.repeat(32), connected: true, connectedSince: now - 62 * MIN,
    lastConfirmedSeq: 1234, lastConfirmedAt: now - 12_000, queueDepth: 3, queueBytes: 2100, oldestWaitingAt: now - 40_000,
    overflowLost: { stats: 12, heartbeat: 0 }, lastError: null, nextSeq: 1238,
  },
  silence: { state: 'ok', waiting: 3 }, silenceThresholdS: 900, fault: false,
  heartbeat: { intervalS: 300, lastAt: now - MIN, lastSeq: 1236 },
  stats: { lastDay: '2026-11-30', lastAt: now - 11 * 3_600_000 },
  openConditions: [],
};
const print = (v: UpstreamView): string => { let s = ''; printUpstreamStatus(v, (x) => { s += x; }, duration, now); return s; };

test('a healthy link: every field the technician asked for, one per line', (t) => {
  t.is(print(view), [
    'upstream   OK',
    'transport  tls  peer 198.51.100.10:6514',
    `cert       ${'AB:'.repeat(31)}AB`,
    'connected  yes since 2026-12-01 10:58:00 (1 h 2 min ago)',
    'confirmed  #1234 at 2026-12-01 11:59:48 (12 s ago)',
    'queue      3 waiting (2100 bytes), oldest since 2026-12-01 11:59:20 (40 s ago)',
    'overflow   stats 12',
    'next seq   1238',
    'heartbeat  every 300 s, last queued 2026-12-01 11:59:00 (#1236)',
    'statistics 2026-11-30 queued 2026-12-01 01:00:00',
    '',
  ].join('\n'));
});

test('silent link and open conditions are spelled out', (t) => {
  const out = print({
    ...view, fault: true,
    status: { ...view.status!, connected: false, connectedSince: now - 20 * MIN, lastError: 'connect ECONNREFUSED 198.51.100.10:6514', overflowLost: {} },
    silence: { state: 'silent', waiting: 9, since: now - 17 * MIN, silentMs: 17 * MIN },
    openConditions: [{ id: 'upstream', failedAt: now - 2 * MIN, detail: 'nothing confirmed for 900 s', goodSince: null }],
  });
  t.true(out.startsWith('upstream   FAULT: nothing confirmed for 17 min while 9 message(s) wait (limit 15 min)\n'));
  t.true(out.includes('connected  no since 2026-12-01 11:40:00 (20 min ago)\n'));
  t.true(out.includes('overflow   none lost\n'));
  t.true(out.includes('last error connect ECONNREFUSED 198.51.100.10:6514\n'));
  t.true(out.includes('open (failure told, recovery not yet)\n  upstream  since 2026-12-01 11:58:00  nothing confirmed for 900 s\n'));
});

test('no collector configured', (t) => {
  const out = print({ ...view, status: null, silence: { state: 'none' }, fault: true });
  t.true(out.startsWith('upstream   NO COLLECTOR CONFIGURED'));
  t.false(out.includes('transport'));
});

test('hostile strings from the wire cannot drive the terminal', (t) => {
  const evil = 'x\u001b[2J\u001b]0;owned\u0007\u202e\r\nFAKE OK';
  const out = print({
    ...view,
    status: { ...view.status!, peer: evil, lastError: evil, peerCertSha256: `${evil}zz` },
    openConditions: [{ id: `feed:${evil}`, failedAt: now, detail: evil, goodSince: now }],
  });
  t.false(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/.test(out), 'no control or bidi character reaches the terminal');
  t.false(out.includes('\nFAKE OK'), 'a hostile newline cannot forge a line');
  t.true(out.includes('x\\x1b[2J'));
  t.is(fingerprintText('zz'), '-');
  t.is(fingerprintText(null), '-');
});

test('printHuman routes upstream.status', (t) => {
  let s = '';
  printHuman('upstream.status', { ...view, status: null, silence: { state: 'none' } }, (x) => { s += x; }, { duration });
  t.true(s.startsWith('upstream   NO COLLECTOR CONFIGURED'));
});
