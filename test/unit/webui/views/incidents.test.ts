import test from 'ava';
import { renderIncidents, type IncidentCard } from '../../../../webui/src/views/incidents.js';
import type { Alert } from '../../../../firmware/src/alerts/types.js';

const text = { title: '<b>t</b>', what: 'w', why: 'y', did: 'd', todo: 'LANケーブルを抜く', call: '0120-000-000' };
const alert: Alert = {
  id: 7, kind: 'beacon', severity: 'warning', dedupKey: 'k', device: { ip: '192.168.77.10' }, remote: { ip: '203.0.113.9', port: 443 },
  direction: 'outbound', action: 'none', count: 3, firstSeen: 0, lastSeen: 1000, params: {}, evidence: { score: 0.97, note: '<script>' }, incidentId: 1,
};
const card = (id: number, severity: Alert['severity']): IncidentCard => ({
  id, severity, openedAt: 0, lastAt: 1000, kinds: ['beacon'], findings: 1, device: { ip: '192.168.77.10', mac: '<img>' }, text, alerts: [{ alert, text }],
});

test('incidents are escaped, explained, and the evidence is for the technician only', (t) => {
  const staff = renderIncidents([card(1, 'danger')], { lang: 'ja', timeZone: 'Asia/Tokyo', technician: false }).toString();
  t.false(staff.includes('<b>t</b>'));
  t.false(staff.includes('<img>'));
  t.true(staff.includes('LANケーブルを抜く'));
  t.true(staff.includes('0120-000-000'));
  t.false(staff.includes('incident-evidence'));
  const tech = renderIncidents([card(1, 'danger')], { lang: 'en', timeZone: 'Asia/Tokyo', technician: true }).toString();
  t.true(tech.includes('incident-evidence'));
  t.true(tech.includes('0.97'));
  t.false(tech.includes('<script>'));
});

test('an empty list says so', (t) => {
  t.true(renderIncidents([], { lang: 'en', timeZone: 'UTC', technician: false }).toString().includes('No groups of suspicious traffic'));
});
