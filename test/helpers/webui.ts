// Test data and a fake daemon for the web UI: plain Alert objects, a WebDeps with a
// settable clock, and small fetch helpers for cookies and CSRF tokens.
import type { Alert } from '../../firmware/src/alerts/types.js';
import { safeEqual } from '../../webui/src/auth/tokens.js';
import type { Overview, WebDeps } from '../../webui/src/deps/deps.js';

export const PASSWORD = 'correct horse battery staple';
export const HOSTILE = '<img src=x onerror=alert(1)>';
export const T0 = Date.UTC(2026, 10, 26, 13, 40, 0); // 22:40 in Tokyo

/** A plain Alert with sensible defaults; override any field. */
export function makeAlert(over: Partial<Alert> = {}): Alert {
  return {
    id: 1,
    kind: 'blocklist_hit',
    severity: 'danger',
    dedupKey: 'blocklist_hit|192.168.1.23|203.0.113.5',
    device: { mac: '3c:22:fb:12:34:56', ip: '192.168.1.23' },
    remote: { ip: '203.0.113.5', port: 443 },
    direction: 'outbound',
    action: 'blocked',
    count: 1,
    firstSeen: T0 - 60_000,
    lastSeen: T0 - 30_000,
    params: { category: 'malware' },
    evidence: { nflogPrefix: 'utm-block-out' },
    incidentId: null,
    ...over,
  };
}

/** Alerts covering every core kind, one with a hostile hostname, one of an unknown kind. */
export function sampleAlerts(): Alert[] {
  return [
    makeAlert({ id: 1, count: 3, lastSeen: T0 - 5 * 60_000 }),
    makeAlert({ id: 2, kind: 'sensor_down', severity: 'warning', device: {}, remote: null, direction: null, action: 'none', params: { sensor: 'ulogd' }, lastSeen: T0 - 60 * 60_000 }),
    makeAlert({ id: 3, kind: 'upstream_unreachable', severity: 'warning', device: {}, remote: null, direction: null, action: 'none', params: { queued: 4 }, lastSeen: T0 - 2 * 60 * 60_000 }),
    makeAlert({ id: 4, kind: 'blocklist_hit', device: { ip: '192.168.1.66', mac: '02:11:22:33:44:55' }, params: { category: 'c2', deviceName: HOSTILE }, lastSeen: T0 - 60_000 }),
    makeAlert({ id: 5, kind: 'some_future_kind', severity: 'info', action: 'watched', params: {}, lastSeen: T0 - 3 * 60 * 60_000 }),
  ];
}

export interface FakeDaemon {
  deps: WebDeps;
  clock: { now: number };
  alerts: Alert[];
  overview: Overview;
  errors: unknown[];
}

/** A WebDeps backed by plain data. The clock is settable; errors are collected. */
export function fakeDaemon(over: Partial<WebDeps> = {}): FakeDaemon {
  const clock = { now: T0 };
  const alerts = sampleAlerts();
  const errors: unknown[] = [];
  const overview: Overview = {
    state: 'danger',
    conditions: [
      { id: 'sensor.ulogd', ok: true, since: T0 - 3600_000 },
      { id: 'ruleset', ok: true, since: T0 - 3600_000, detail: 'last-good applied' },
      { id: 'upstream', ok: false, since: T0 - 600_000, detail: `udp 198.51.100.10:514 ${HOSTILE}` },
    ],
    mode: 'bridge',
    deviceId: 'OTK-0001',
    startedAt: T0 - 3600_000,
  };
  const deps: WebDeps = {
    defaultLang: 'ja',
    desk: { name: '大阪商工ネットお助け隊 相談窓口', phone: '06-6000-1234', hours: '平日 9:00〜18:00' },
    now: () => clock.now,
    overview: () => overview,
    recentAlerts: (limit) => alerts.slice(0, limit),
    health: () => ({ ok: true, deviceId: overview.deviceId }),
    auth: { verify: async (p) => safeEqual(p, PASSWORD) },
    sessionSecret: Buffer.alloc(32, 7),
    onError: (err) => errors.push(err),
    ...over,
  };
  return { deps, clock, alerts, overview, errors };
}

/** A tiny cookie jar for fetch: remembers Set-Cookie values by name. */
export class CookieJar {
  readonly cookies = new Map<string, { value: string; attrs: string }>();

  /** Takes the Set-Cookie headers of a response. */
  take(res: Response): void {
    this.takeLines(res.headers.getSetCookie());
  }

  /** Takes Set-Cookie header values (node:http gives them as an array). */
  takeLines(lines: readonly string[]): void {
    for (const line of lines) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/Max-Age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, { value, attrs: attrs.join(';') });
    }
  }

  header(): string {
    return [...this.cookies].map(([n, c]) => `${n}=${c.value}`).join('; ');
  }
}

/** The value of the first hidden _csrf field in an HTML page. */
export function csrfFromHtml(page: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(page);
  if (!m?.[1]) throw new Error('no _csrf field in page');
  return m[1];
}
