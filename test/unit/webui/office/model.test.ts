// The office page's presentation rules (issue 12), on plain data: a new device alone is a
// question, a blocked attempt is attention not danger, the order, each alert once, and the
// state card after 対応済み and after a device decision.
import test from 'ava';
import { alertTone, buildOfficeModel, incidentTone, officeState, type OfficeInput } from '../../../../webui/src/office/model.js';
import { INFECTED_MAC, makeDevice, makeOffice, PHONE_MAC, UNKNOWN_MAC } from '../../../helpers/office.js';
import { makeAlert, T0 } from '../../../helpers/webui.js';

function input(over: Partial<OfficeInput> = {}): OfficeInput {
  const o = makeOffice(20);
  return { now: T0, alerts: o.alerts, incidents: o.incidents, devices: o.devices, acks: [], conditions: [], ...over };
}

test('a blocked attempt is attention whatever severity the detector gave it; a real contact stays danger', (t) => {
  t.is(alertTone(makeAlert({ kind: 'blocklist_hit', severity: 'danger', action: 'blocked' })), 'attention');
  t.is(alertTone(makeAlert({ kind: 'threat_repeat', severity: 'danger', action: 'blocked' })), 'attention');
  t.is(alertTone(makeAlert({ kind: 'threat_contact', severity: 'danger', action: 'watched' })), 'danger');
  t.is(alertTone(makeAlert({ kind: 'sensor_down', severity: 'info', action: 'none' })), 'notice');
  t.is(incidentTone({ kinds: ['blocklist_hit'], severity: 'danger' }), 'attention');
  t.is(incidentTone({ kinds: ['new_device_unknown', 'blocklist_hit'], severity: 'danger' }), 'attention');
  t.is(incidentTone({ kinds: ['beacon', 'upload'], severity: 'danger' }), 'danger');
});

test('a single new device is a question, never an incident card', (t) => {
  const m = buildOfficeModel(input());
  const phone = m.open.filter((i) => (i.type === 'question' && i.mac === PHONE_MAC) || (i.type === 'incident' && i.entry.incident.device.mac === PHONE_MAC));
  t.is(phone.length, 1);
  t.is(phone[0]?.type, 'question');
  t.is(phone[0]?.tone, 'answer');
  t.is(incidentTone({ kinds: ['new_device_phone'], severity: 'warning' }), 'answer');
});

test('order: danger first, then questions, then attention, then notices; newest first within', (t) => {
  const m = buildOfficeModel(input());
  const tones = m.open.map((i) => i.tone);
  const rank = { danger: 0, answer: 1, attention: 2, notice: 3 } as const;
  t.deepEqual([...tones].sort((a, b) => rank[a] - rank[b]), tones);
  t.is(m.open[0]?.type, 'incident');
  t.is(m.open[0]?.type === 'incident' ? m.open[0].entry.incident.device.mac : '', INFECTED_MAC);
  t.deepEqual(m.open.filter((i) => i.tone === 'answer').map((i) => i.type === 'question' && i.mac), [PHONE_MAC, UNKNOWN_MAC]);
  t.is(tones.at(-1), 'notice');
});

test('each alert is shown once: alerts of an open incident or a question are not listed again', (t) => {
  const m = buildOfficeModel(input());
  const ids: number[] = [];
  for (const i of m.open) {
    if (i.type === 'incident') ids.push(...i.entry.alerts.map((a) => a.id));
    else if (i.type === 'alert') ids.push(i.alert.id);
    else ids.push(...i.alerts.map((a) => a.id));
  }
  for (const h of m.history) {
    if (h.type === 'incident') ids.push(...h.entry.alerts.map((a) => a.id));
    else if (h.type === 'alert') ids.push(h.alert.id);
    else if (h.type === 'decided') ids.push(...h.alerts.map((a) => a.id));
  }
  t.is(new Set(ids).size, ids.length);
  t.true(ids.includes(12) && ids.includes(13) && ids.includes(11));
  t.is(ids.filter((id) => id >= 100).length, 14, 'every blocked attempt is listed, once');
});

test('blocked attempts on many devices are one calm card that lists each of them', (t) => {
  const m = buildOfficeModel(input());
  const groups = m.open.filter((i) => i.type === 'group');
  t.is(groups.length, 1);
  const g = groups[0];
  t.is(g?.tone, 'attention');
  t.is(g?.type === 'group' ? g.alerts.length : 0, 14);
  t.false(m.open.some((i) => i.type === 'alert' && i.alert.kind === 'blocklist_hit'));
  const one = buildOfficeModel(input({ alerts: [makeAlert({ id: 5 })], incidents: [], devices: [] }));
  t.is(one.open[0]?.type, 'alert', 'a single blocked attempt stays a card of its own');
});

test('after 対応済み the state card no longer says danger, and the incident moves to the history', (t) => {
  const before = buildOfficeModel(input());
  t.is(before.state, 'danger');
  const acked = buildOfficeModel(input({ acks: [{ target: 'incident', id: 2, at: T0, actor: 'admin@192.168.1.5', note: '相談窓口に電話した' }] }));
  t.not(acked.state, 'danger');
  t.false(acked.open.some((i) => i.type === 'incident' && i.entry.incident.id === 2));
  const h = acked.history.find((i) => i.type === 'incident' && i.entry.incident.id === 2);
  t.is(h?.type === 'incident' ? h.ack?.note : undefined, '相談窓口に電話した');
});

test('after approving or quarantining, the question is closed; when everything is handled the office is safe', (t) => {
  const o = makeOffice(20);
  for (const d of o.devices) if (d.status === 'new') d.status = d.mac === PHONE_MAC ? 'approved' : 'quarantined';
  const acks = [
    { target: 'incident' as const, id: 2, at: T0, actor: 'admin', note: null },
    { target: 'incident' as const, id: 3, at: T0, actor: 'admin', note: null },
    ...o.alerts.filter((a) => a.incidentId === null).map((a) => ({ target: 'alert' as const, id: a.id, at: T0, actor: 'admin', note: null })),
  ];
  const m = buildOfficeModel({ now: T0, alerts: o.alerts, incidents: o.incidents, devices: o.devices, acks, conditions: [] });
  t.deepEqual(m.open, []);
  t.is(m.state, 'safe');
  t.true(m.history.some((h) => h.type === 'decided' && h.mac === PHONE_MAC && h.device?.status === 'approved'));
});

test('notices never change the state; a failed ruleset is danger, another failed condition attention', (t) => {
  t.is(officeState([{ tone: 'notice' }], []), 'safe');
  t.is(officeState([], [{ id: 'ruleset', ok: false }]), 'danger');
  t.is(officeState([], [{ id: 'sensor.ulogd', ok: false }]), 'attention');
  t.is(officeState([{ tone: 'answer' }], []), 'attention');
});

test('alerts older than the open window go to the history unhandled', (t) => {
  const old = makeAlert({ id: 77, kind: 'sensor_down', severity: 'warning', action: 'none', device: {}, remote: null, lastSeen: T0 - 8 * 86_400_000 });
  const m = buildOfficeModel(input({ alerts: [old], incidents: [], devices: [] }));
  t.deepEqual(m.open, []);
  t.is(m.history[0]?.type, 'alert');
});

test('a quarantine notice is open while the device is quarantined; once released it closes itself and the history says so', (t) => {
  const d = makeDevice(40, { status: 'quarantined' });
  const notice = makeAlert({ id: 500, kind: 'device_quarantined', severity: 'info', action: 'quarantined', incidentId: null, device: { mac: d.mac, ip: d.ipv4[0] }, firstSeen: T0 - 60_000, lastSeen: T0 - 60_000 });
  const held = buildOfficeModel({ now: T0, alerts: [notice], incidents: [], devices: [d], acks: [], conditions: [] });
  t.true(held.open.some((i) => i.type === 'alert' && i.alert.id === 500), 'quarantined: the notice is open');
  for (const status of ['new', 'approved'] as const) {
    const m = buildOfficeModel({ now: T0, alerts: [notice], incidents: [], devices: [{ ...d, status }], acks: [], conditions: [] });
    t.false(m.open.some((i) => i.type === 'alert' && i.alert.id === 500), `${status}: the notice no longer asks for a release`);
    const h = m.history.find((i) => i.type === 'alert' && i.alert.id === 500);
    t.true(h?.type === 'alert' && h.over === true, `${status}: the history keeps it, marked as over`);
  }
});

test('every staff decision is a line of the history, also for a device that had no new-device alert', (t) => {
  const pc = makeDevice(41, { status: 'approved', alerted: false });
  const other = makeDevice(42, { status: 'new' });
  const audit = [
    { at: T0 - 3000, actor: 'admin@192.168.1.5', action: 'approve' as const, mac: pc.mac, from: 'new' as const, to: 'approved' as const },
    { at: T0 - 2000, actor: 'admin@192.168.1.5', action: 'quarantine' as const, mac: other.mac, from: 'new' as const, to: 'quarantined' as const },
    { at: T0 - 1000, actor: 'technician', action: 'release' as const, mac: other.mac, from: 'quarantined' as const, to: 'new' as const },
    { at: T0 - 500, actor: 'admin', action: 'label' as const, mac: pc.mac, from: 'approved' as const, to: 'approved' as const, detail: '経理' },
  ];
  const m = buildOfficeModel({ now: T0, alerts: [], incidents: [], devices: [pc, other], acks: [], conditions: [], audit });
  const lines = m.history.flatMap((h) => (h.type === 'decision' ? [[h.action, h.mac, h.actor]] : []));
  t.deepEqual(lines, [['release', other.mac, 'technician'], ['quarantine', other.mac, 'admin@192.168.1.5'], ['approve', pc.mac, 'admin@192.168.1.5']], 'newest first; a label is not a decision');
});

test('a quarantine notice in the new device\'s incident is told on its own: open while quarantined, closed once released', (t) => {
  const d = makeDevice(43, { status: 'quarantined' });
  const arrival = makeAlert({ id: 600, kind: 'new_device_unknown', severity: 'warning', action: 'none', incidentId: 60, device: { mac: d.mac }, lastSeen: T0 - 120_000 });
  const notice = makeAlert({ id: 601, kind: 'device_quarantined', severity: 'info', action: 'quarantined', incidentId: 60, device: { mac: d.mac }, lastSeen: T0 - 60_000 });
  const incident = { id: 60, deviceKey: d.mac, device: { mac: d.mac }, openedAt: T0 - 120_000, lastAt: T0 - 60_000, kinds: ['new_device_unknown', 'device_quarantined'], stages: [], findings: 2, baseSeverity: 'warning' as const, severity: 'warning' as const };
  const base = { now: T0, alerts: [arrival, notice], incidents: [{ incident, alerts: [arrival, notice] }], acks: [], conditions: [] };
  const held = buildOfficeModel({ ...base, devices: [d] });
  t.false(held.open.some((i) => i.type === 'incident'), 'no incident card for a device staff just decided on');
  t.true(held.open.some((i) => i.type === 'alert' && i.alert.id === 601), 'the notice is open while the device is quarantined');
  const released = buildOfficeModel({ ...base, devices: [{ ...d, status: 'new' }] });
  t.deepEqual(released.open.map((i) => i.type), ['question'], 'released: only the question about the device is open');
  t.true(released.history.some((h) => h.type === 'alert' && h.alert.id === 601 && h.over === true), 'the notice is history, marked as over');
});
