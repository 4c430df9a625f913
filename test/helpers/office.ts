// A plausible 15-person office for page tests, e2e and the bench: devices (one new personal
// phone, one new unknown device, an old PC, a quarantined one), alerts and incidents of a
// week (a real infection, blocked attempts, a new device alone, notices), and daily statistics.
// Plain data behind the same view-model ports the daemon hands the web UI.
import type { Alert } from '../../firmware/src/alerts/types.js';
import { DeviceSchema, type Device } from '../../firmware/src/devices/model.js';
import type { DevicesView } from '../../firmware/src/devices/view.js';
import type { IncidentEntry, IncidentsView } from '../../firmware/src/traffic/view.js';
import type { DailyStats } from '../../firmware/src/upstream/dailyStats.js';
import { makeAlert, T0 } from './webui.js';

const H = 3_600_000;
const DAY = 24 * H;

/** A device with sensible defaults (an office PC); override any field. */
export function makeDevice(i: number, over: Partial<Device> = {}): Device {
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return DeviceSchema.parse({
    mac: `3c:22:fb:00:${hex(i >> 8)}:${hex(i & 255)}`, ipv4: [`192.168.1.${10 + (i % 240)}`], ipv6: [], hostname: `PC-${String(i).padStart(3, '0')}`,
    vendor: 'Apple, Inc.', randomised: false, fingerprint: null, osFamily: 'windows', osName: 'Windows 10/11', deviceType: 'pc', confidence: 0.9,
    eol: false, likelyPersonalPhone: false, phoneReasons: [], firstSeen: T0 - 60 * DAY, lastSeen: T0 - 60_000, status: 'approved',
    label: null, linkedTo: null, maybeSameAs: null, alerted: false, pendingSince: null, ...over,
  });
}

export interface Office {
  devices: Device[];
  alerts: Alert[];
  incidents: IncidentEntry[];
  devicesView: DevicesView;
  incidentsView: IncidentsView;
  /** Every device decision taken through the view, in order. */
  decisions: Array<{ type: string; mac: string }>;
}

export const PHONE_MAC = '26:11:22:33:44:55';
export const UNKNOWN_MAC = '3c:22:fb:99:00:01';
export const INFECTED_MAC = '3c:22:fb:00:00:03';

/** The office with `n` devices (at least 8). */
export function makeOffice(n = 50): Office {
  const devices: Device[] = [];
  for (let i = 1; i <= n - 2; i++) devices.push(makeDevice(i, i % 9 === 0 ? { status: 'learning' } : {}));
  devices[4] = makeDevice(5, { eol: true, osName: 'Windows 7', hostname: 'OLD-PC', label: '経理の古いパソコン' });
  devices[6] = makeDevice(7, { status: 'quarantined', hostname: 'printer-x', deviceType: 'printer' });
  devices.push(makeDevice(900, {
    mac: PHONE_MAC, hostname: 'iPhone\u202Egpj.exe', vendor: null, randomised: true, osFamily: 'ios', osName: 'iOS / iPadOS', deviceType: 'phone',
    likelyPersonalPhone: true, phoneReasons: ['randomised_mac'], firstSeen: T0 - 2 * H, lastSeen: T0 - 60_000, status: 'new', alerted: true,
  }));
  devices.push(makeDevice(901, {
    mac: UNKNOWN_MAC, hostname: '経理のパソコン（承認済み）\u001b[31m\u0007', vendor: null, osFamily: 'unknown', osName: '', deviceType: 'unknown',
    firstSeen: T0 - 5 * H, lastSeen: T0 - 60_000, status: 'new', alerted: true,
  }));
  const infected = { mac: INFECTED_MAC, ip: '192.168.1.13' };
  const alerts: Alert[] = [
    makeAlert({ id: 11, kind: 'new_device_phone', severity: 'warning', device: { mac: PHONE_MAC, ip: '192.168.1.200' }, remote: null, direction: 'lan', action: 'none', params: { deviceName: 'iPhone\u202Egpj.exe' }, lastSeen: T0 - 2 * H, incidentId: 1 }),
    makeAlert({ id: 12, kind: 'beacon', severity: 'warning', device: infected, remote: { ip: '203.0.113.77', port: 443 }, action: 'watched', params: { deviceName: 'PC-003' }, lastSeen: T0 - 40 * 60_000, incidentId: 2 }),
    makeAlert({ id: 13, kind: 'upload', severity: 'danger', device: infected, remote: { ip: '203.0.113.77', port: 443 }, action: 'watched', params: { deviceName: 'PC-003' }, lastSeen: T0 - 30 * 60_000, incidentId: 2 }),
    makeAlert({ id: 14, kind: 'blocklist_hit', severity: 'danger', device: { mac: '3c:22:fb:00:00:08', ip: '192.168.1.18' }, params: { category: 'phishing', deviceName: 'PC-008' }, lastSeen: T0 - 3 * H, incidentId: 3 }),
    makeAlert({ id: 15, kind: 'sensor_down', severity: 'info', device: {}, remote: null, direction: null, action: 'none', params: { sensor: 'ulogd' }, lastSeen: T0 - 5 * H }),
    makeAlert({ id: 16, kind: 'new_device_unknown', severity: 'warning', device: { mac: UNKNOWN_MAC }, remote: null, direction: 'lan', action: 'none', params: {}, lastSeen: T0 - 5 * H, incidentId: 4 }),
  ];
  for (let i = 0; i < 14; i++) {
    alerts.push(makeAlert({ id: 100 + i, kind: 'blocklist_hit', severity: 'danger', device: { mac: `3c:22:fb:00:00:${(20 + i).toString(16)}`, ip: `192.168.1.${30 + i}` }, params: { category: i % 2 ? 'malware' : 'phishing' }, lastSeen: T0 - (6 + i * 9) * H, count: 1 + i }));
  }
  const inc = (id: number, kinds: string[], severity: Alert['severity'], device: { mac?: string; ip?: string }, ids: number[]): IncidentEntry => ({
    incident: { id, deviceKey: device.mac ?? device.ip ?? '', device, openedAt: T0 - 6 * H, lastAt: Math.max(...alerts.filter((a) => ids.includes(a.id)).map((a) => a.lastSeen)), kinds, stages: [], findings: ids.length, baseSeverity: severity, severity },
    alerts: alerts.filter((a) => ids.includes(a.id)),
  });
  const incidents = [
    inc(2, ['beacon', 'upload'], 'danger', infected, [12, 13]),
    inc(3, ['blocklist_hit'], 'danger', { mac: '3c:22:fb:00:00:08', ip: '192.168.1.18' }, [14]),
    inc(1, ['new_device_phone'], 'warning', { mac: PHONE_MAC }, [11]),
    inc(4, ['new_device_unknown'], 'warning', { mac: UNKNOWN_MAC }, [16]),
  ];
  const decisions: Office['decisions'] = [];
  const devicesView: DevicesView = {
    list: () => ({ devices, learning: { active: false, until: T0 - 30 * DAY } }),
    act: async (a) => {
      const d = devices.find((x) => x.mac === a.mac);
      if (!d) return { ok: false, reason: 'unknown_device' };
      if (a.type === 'approve' || a.type === 'quarantine' || a.type === 'release') {
        decisions.push({ type: a.type, mac: a.mac });
        d.status = a.type === 'approve' || a.type === 'release' ? 'approved' : 'quarantined';
      }
      return { ok: true, device: d } as never;
    },
    now: () => T0,
  };
  return { devices, alerts, incidents, devicesView, incidentsView: { recent: () => incidents }, decisions };
}

/** Daily statistics for the `days` days up to (not including) the day of T0 in UTC. */
export function makeDailyStats(days: number, end = T0): DailyStats[] {
  const out: DailyStats[] = [];
  const endDay = Date.UTC(new Date(end).getUTCFullYear(), new Date(end).getUTCMonth(), new Date(end).getUTCDate());
  for (let i = days; i >= 1; i--) {
    const from = endDay - i * DAY;
    const k = new Date(from).toISOString().slice(0, 10);
    const malware = (i * 7) % 11;
    const phishing = (i * 5) % 7;
    out.push({
      day: k, from, to: from + DAY,
      alerts: { total: 2, bySeverity: { danger: i % 5 === 0 ? 1 : 0, warning: 1, info: i % 5 === 0 ? 0 : 1 }, byKind: { blocklist_hit: { danger: i % 5 === 0 ? 1 : 0, warning: 1, info: 0 }, sensor_down: { danger: 0, warning: 0, info: i % 5 === 0 ? 0 : 1 } } },
      blocked: { total: malware + phishing, byCategory: { malware, phishing } },
      devices: { seen: 40 + (i % 3), new: i % 10 === 0 ? 1 : 0, quarantined: i === 12 ? 1 : 0, quarantinedNow: 1 },
      upstream: { upMs: DAY - (i === 3 ? 2 * H : 0), observedMs: DAY, availability: (DAY - (i === 3 ? 2 * H : 0)) / DAY },
    });
  }
  return out;
}
