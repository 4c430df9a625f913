// What the API tells a visitor who has not logged in: state and counts only. Any LAN device
// can ask, malware included, so nothing here says what was noticed about whom (no addresses,
// names, ports, MACs, evidence) and nothing describes the box's processes (no pids, no
// condition details). Pure: plain data in, plain data out.
import type { Alert } from '../../../firmware/src/alerts/types.js';
import type { Overview } from '../deps/deps.js';

export interface PublicHealth {
  ok: boolean;
  state: Overview['state'];
  uptimeSeconds: number;
  /** Which watched conditions hold, by id only (e.g. "sensor:ulogd", "upstream"). */
  conditions: Array<{ id: string; ok: boolean }>;
  loginRequiredForDetail: true;
}

export interface PublicAlerts {
  state: Overview['state'];
  counts: { total: number; danger: number; warning: number; info: number };
  loginRequiredForDetail: true;
}

/** The health answer without login: overall state, uptime and condition ids with ok/not ok. */
export function publicHealth(o: Overview, now: number): PublicHealth {
  return {
    ok: o.conditions.every((c) => c.ok),
    state: o.state,
    uptimeSeconds: Math.max(0, Math.round((now - o.startedAt) / 1000)),
    conditions: o.conditions.map((c) => ({ id: c.id, ok: c.ok })),
    loginRequiredForDetail: true,
  };
}

/** The alerts answer without login: the overall state and how many alerts of each severity. */
export function publicAlerts(o: Overview, alerts: readonly Alert[]): PublicAlerts {
  const counts = { total: alerts.length, danger: 0, warning: 0, info: 0 };
  for (const a of alerts) {
    if (a.severity === 'danger' || a.severity === 'warning' || a.severity === 'info') counts[a.severity]++;
  }
  return { state: o.state, counts, loginRequiredForDetail: true };
}
