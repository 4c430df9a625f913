import test from 'ava';
import { assignIncident, compareIncidents, type Incident } from '../../../firmware/src/alerts/incidents.js';
import type { Finding } from '../../../firmware/src/alerts/types.js';

const H = 3_600_000;
const rules = { windowMs: 6 * H };
const f = (kind: string, at: number, severity: Finding['severity'] = 'warning', mac = '02:00:00:00:00:0a'): Finding => ({
  kind, severity, at, dedupKey: `${kind}:${mac}`, device: { mac, ip: '192.168.1.10' }, action: 'none', params: {}, evidence: {},
});

function feed(findings: Finding[]): { incidents: Incident[]; escalations: number } {
  const incidents: Incident[] = [];
  let escalations = 0;
  for (const x of findings) {
    const cur = incidents.findLast((i) => i.deviceKey === x.device?.mac);
    const d = assignIncident(cur, x, rules);
    if (d.action === 'open') incidents.push(d.incident);
    if (d.action === 'join') { incidents[incidents.indexOf(cur!)] = d.incident; if (d.escalated) escalations++; }
  }
  return { incidents, escalations };
}

test('new device → beacon → large upload on one device is one incident that escalates to danger', (t) => {
  const { incidents, escalations } = feed([f('new_device', 0, 'info'), f('beacon', 2 * H), f('upload', 4 * H)]);
  t.is(incidents.length, 1);
  t.like(incidents[0], { findings: 3, severity: 'danger', kinds: ['new_device', 'beacon', 'upload'] });
  t.is(escalations, 1, "info → danger as soon as the beacon adds a second stage");
});

test('findings further apart than the window, or on another device, open separate incidents', (t) => {
  const { incidents } = feed([f('beacon', 0), f('beacon', 7 * H), f('scan', 7 * H, 'danger', '02:00:00:00:00:0b')]);
  t.is(incidents.length, 3);
  t.is(incidents[0]!.severity, 'warning');
});

test('repeats of one kind do not inflate severity', (t) => {
  const { incidents } = feed([f('beacon', 0), f('beacon', H), f('beacon', 2 * H)]);
  t.like(incidents[0], { findings: 3, severity: 'warning' });
});

test('findings without a device are not grouped', (t) => {
  t.deepEqual(assignIncident(undefined, { ...f('beacon', 0), device: undefined }, rules), { action: 'none' });
});

test('page order: most severe first, then newest', (t) => {
  const list = [{ severity: 'warning' as const, lastAt: 5 }, { severity: 'danger' as const, lastAt: 1 }, { severity: 'warning' as const, lastAt: 9 }];
  t.deepEqual(list.sort(compareIncidents).map((i) => i.lastAt), [1, 9, 5]);
});
