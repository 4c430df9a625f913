// Wires the web UI to the daemon: WebDeps from daemon state, the overall state rule, the
// session secret kept in the state dir, and the server's lifecycle.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCatalog, createWebApp, featureExtensions, html, startWebServer, type FeatureViews, type Overview, type PageSection, type WebDeps, type WebServer } from '../../../webui/src/index.js';
import type { Alert } from '../alerts/types.js';
import type { Credential } from '../auth/credential.js';
import { verifyCredential } from '../auth/credential.js';
import { writeAtomic } from '../sys/files.js';
import { DEFAULT_TIME_ZONE } from '../config/provisioning.js';
import type { Condition } from './conditions.js';
import type { Daemon } from './daemon.js';
import { upstreamSection } from '../../../webui/src/views/upstream.js';
import { pageLimits, readNofile } from './webLimits.js';

const DAY = 86_400_000;

/** Overall state for staff: danger on a recent danger alert or a failed ruleset; attention
 *  on any other failing condition or recent warning; otherwise safe. */
export function overallState(conditions: Condition[], recent: Alert[], now: number): Overview['state'] {
  const fresh = recent.filter((a) => now - a.lastSeen < DAY);
  if (fresh.some((a) => a.severity === 'danger') || conditions.some((c) => c.id === 'ruleset' && !c.ok)) return 'danger';
  if (fresh.some((a) => a.severity === 'warning') || conditions.some((c) => !c.ok)) return 'attention';
  return 'safe';
}

/** The office banner's facts while nothing reaches the monitoring centre (silence rule). */
function upstreamSilent(d: Daemon): Overview['upstreamSilent'] {
  const s = d.reporting?.silence();
  return s?.state === 'silent' ? { since: s.since, waiting: s.waiting } : undefined;
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
export function webDeps(d: Daemon, credential: Credential, sessionSecret: Buffer, staticDir: string): WebDeps {
  const p = d.o.provisioning;
  const lanHosts = d.plan?.boxAddresses ?? [];
  return {
    defaultLang: p?.language ?? 'ja',
    desk: p?.desk ?? null,
    timeZone: p?.timeZone ?? DEFAULT_TIME_ZONE,
    now: d.now,
    overview: () => {
      const conditions = d.conditions.list();
      return {
        state: overallState(conditions, d.alerts?.recent(200) ?? [], d.now()),
        conditions, mode: d.plan?.mode ?? 'bridge', deviceId: d.deviceId, startedAt: d.startedAt,
        upstreamSilent: upstreamSilent(d),
      };
    },
    recentAlerts: (limit) => d.alerts?.recent(limit) ?? [],
    health: () => ({ ok: d.conditions.allOk(), conditions: d.conditions.list(), uptimeSeconds: Math.round((d.now() - d.startedAt) / 1000) }),
    auth: { verify: (pw) => verifyCredential(credential, pw) },
    sessionSecret,
    staticDir,
    allowedHosts: [...lanHosts, '127.0.0.1', 'localhost', '::1'],
    onError: (e) => d.o.log.error('web request failed', e),
  };
}

/** Starts the page on every address of the box; the ruleset keeps it to the LAN side. */
export async function startWeb(d: Daemon, deps: WebDeps, views: readonly FeatureViews[] = []): Promise<WebServer> {
  const catalog = deps.catalog ?? buildCatalog();
  const ext = featureExtensions(views, { catalog, desk: deps.desk });
  // The technician's view of the link to the monitoring centre, after the features' sections.
  const upstream: PageSection = (ctx) => (d.reporting ? upstreamSection(d.reporting.view(), ctx.lang, ctx.timeZone, ctx.now) : html``);
  const sections = [...ext.sections, upstream];
  const limits = pageLimits(readNofile());
  d.o.log.info(`page: at most ${limits.maxConnections} connections, ${limits.perClient} per client`);
  return startWebServer(createWebApp({ ...deps, catalog }, { ...ext, sections }), { host: '::', port: d.o.config.ui.port, limits });
}
