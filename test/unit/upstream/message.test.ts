import test from 'ava';
import { alertToSyslog } from '../../../firmware/src/upstream/message.js';
import { formatUpstream } from '../../../firmware/src/upstream/sink.js';
import type { Alert } from '../../../firmware/src/alerts/types.js';

const alert = (evidence: Record<string, unknown>): Alert => ({
  id: 7, kind: 'beacon', severity: 'danger', dedupKey: 'k', device: { ip: '192.168.77.101' }, remote: { ip: '203.0.113.201', port: 443 },
  direction: 'outbound', action: 'watched', count: 1, firstSeen: 0, lastSeen: 0, params: {}, evidence, incidentId: null,
});

test('the remote\'s DNS name goes upstream as an escaped SD-PARAM, and only when known', (t) => {
  const named = formatUpstream(alertToSyslog(alert({ remoteName: 'a"b]c\\d.example' }), { text: 'x' }), 1, 'box').toString('utf8');
  t.true(named.includes('remoteIp="203.0.113.201" remoteName="a\\"b\\]c\\\\d.example"'), named);
  const plain = formatUpstream(alertToSyslog(alert({}), { text: 'x' }), 2, 'box').toString('utf8');
  t.false(plain.includes('remoteName'));
});
