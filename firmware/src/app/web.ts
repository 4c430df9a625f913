// Wires the web UI to the running daemon through a narrow port: WebDeps from the daemon's
// state, the overall state rule, the session secret kept in the state dir, and the app the
// page's server listens with (the server itself is an adapter of the composition root).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import { join } from 'node:path';
import { buildCatalog, createWebApp, featureExtensions, type FeatureViews, type Overview, type PageSection, type WebDeps } from '../../../webui/src/index.js';
import type { Alert } from '../alerts/types.js';
import type { Credential } from '../auth/credential.js';
import { verifyCredential } from '../auth/credential.js';
import { writeAtomic } from '../sys/files.js';
import { DEFAULT_TIME_ZONE, type Provisioning } from '../config/provisioning.js';
import type { NetworkPlan } from '../policy/network.js';
import type { AlertsRepo } from '../alerts/alertsRepo.js';
import type { Condition, Conditions } from './conditions.js';
import type { Logger } from './log.js';
import type { Reporting } from './reporting.js';
import { upstreamSection } from '../../../webui/src/views/upstream.js';

const DAY = 86_400_000;

/** What the page reads from the running daemon. */
export interface PagePorts {
  provisioning: Provisioning | null;
  deviceId: string;
  startedAt: number;
  now: () => number;
  conditions: Pick<Conditions, 'list' | 'allOk'>;
  plan: () => NetworkPlan | null;
  alerts: Pick<AlertsRepo, 'recent'>;
  reporting: Pick<Reporting, 'view' | 'silence'>;
  log: Logger;
}

/** Overall state for staff: danger on a recent danger alert or a failed ruleset; attention
 *  on any other failing condition or recent warning; otherwise safe. */
export function overallState(conditions: Condition[], recent: Alert[], now: number): Overview['state'] {
  const fresh = recent.filter((a) => now - a.lastSeen < DAY);
  if (fresh.some((a) => a.severity === 'danger') || conditions.some((c) => c.id === 'ruleset' && !c.ok)) return 'danger';
  if (fresh.some((a) => a.severity === 'warning') || conditions.some((c) => !c.ok)) return 'attention';
  return 'safe';
}

/** The office banner's facts while nothing reaches the monitoring centre (silence rule). */
function upstreamSilent(p: PagePorts): Overview['upstreamSilent'] {
  const s = p.reporting.silence();
  return s.state === 'silent' ? { since: s.since, waiting: s.waiting } : undefined;
}

/** The session secret: 32 random bytes created once, kept 0600 in the state dir. */
export async function loadSessionSecret(stateDir: string): Promise<Buffer> {
  const file = join(stateDir, 'session.key');
  try {
    const b = await readFile(file);
    if (b.length >= 32) return b;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const fresh = randomBytes(32);
  await writeAtomic(file, fresh, 0o600);
  return fresh;
}

/** Builds the deps the web app needs from the running daemon. */
export function webDeps(p: PagePorts, credential: Credential, sessionSecret: Buffer, staticDir: string): WebDeps {
  const prov = p.provisioning;
  const lanHosts = p.plan()?.boxAddresses ?? [];
  return {
    defaultLang: prov?.language ?? 'ja',
    desk: prov?.desk ?? null,
    timeZone: prov?.timeZone ?? DEFAULT_TIME_ZONE,
    now: p.now,
    overview: () => {
      const conditions = p.conditions.list();
      return {
        state: overallState(conditions, p.alerts.recent(200), p.now()),
        conditions, mode: p.plan()?.mode ?? 'bridge', deviceId: p.deviceId, startedAt: p.startedAt,
        upstreamSilent: upstreamSilent(p),
      };
    },
    recentAlerts: (limit) => p.alerts.recent(limit),
    health: () => ({ ok: p.conditions.allOk(), conditions: p.conditions.list(), uptimeSeconds: Math.round((p.now() - p.startedAt) / 1000) }),
    auth: { verify: (pw) => verifyCredential(credential, pw) },
    sessionSecret,
    staticDir,
    allowedHosts: [...lanHosts, '127.0.0.1', 'localhost', '::1'],
    onError: (e) => p.log.error('web request failed', e),
  };
}

/** The page's request handler: the core pages, the features' sections and the upstream view. */
export function pageApp(p: PagePorts, deps: WebDeps, views: readonly FeatureViews[] = []): RequestListener {
  const catalog = deps.catalog ?? buildCatalog();
  const ext = featureExtensions(views, { catalog, desk: deps.desk });
  // The technician's view of the link to the monitoring centre, after the features' sections.
  const upstream: PageSection = (ctx) => upstreamSection(p.reporting.view(), ctx.lang, ctx.timeZone, ctx.now);
  return createWebApp({ ...deps, catalog }, { ...ext, sections: [...ext.sections, upstream] });
}
