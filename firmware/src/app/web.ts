// Wires the web UI to the running daemon through narrow ports: WebDeps from the daemon's
// state, the overall state rule, the session secret kept in the state dir, the app the page's
// servers listen with, and the two listeners (the plain read-only page and the secure page with
// the box's certificate, app/webSecure.ts); the servers themselves are adapters of the root.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import { join } from 'node:path';
import { buildCatalog, createWebApp, featureExtensions, type FeatureViews, type Overview, type PageSection, type WebDeps, type WebServer } from '../../../webui/src/index.js';
import type { Alert } from '../alerts/types.js';
import type { Credential } from '../auth/credential.js';
import { verifyCredential } from '../auth/credential.js';
import { writeAtomic } from '../sys/files.js';
import { isStorageError } from '../errors/storageError.js';
import { errorMessage } from '../errors/errorText.js';
import { DEFAULT_TIME_ZONE, type Provisioning } from '../config/provisioning.js';
import type { NetworkPlan } from '../policy/network.js';
import type { AlertsRepo } from '../alerts/alertsRepo.js';
import type { Condition, Conditions } from './conditions.js';
import type { Logger } from './log.js';
import type { Reporting } from './reporting.js';
import { upstreamSection } from '../../../webui/src/views/upstream.js';
import { diagnosticsArchive, hostNames, loadCertificate, technicianSource, type SecurePorts } from './webSecure.js';
import type { BoxCertificate } from '../web/certificate.js';
import { buildOfficeModel, type Ack } from '../../../webui/src/office/model.js';
import type { OfficePort } from '../../../webui/src/deps/deps.js';
import { withDeviceNames, type NameDevice } from '../alerts/naming.js';

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
  /** Staff marks, the week's statistics and the monthly report (app/officePort.ts). */
  office?: OfficePort | undefined;
  /** How staff know an office device, for the alerts the page words. */
  nameDevice?: NameDevice | undefined;
  log: Logger;
}

/** Overall state for staff, by the office page's own rules (webui/src/office/model.ts): danger
 *  only on an open sign of infection or a failed ruleset; attention on open questions, blocked
 *  attempts, warnings or another failing condition; marks (対応済み) close what they cover. */
export function overallState(conditions: Condition[], recent: Alert[], now: number, acks: readonly Ack[] = []): Overview['state'] {
  return buildOfficeModel({ now, alerts: recent, incidents: [], devices: [], acks, conditions }).state;
}

/** The office banner's facts while nothing reaches the monitoring centre (silence rule). */
function upstreamSilent(p: PagePorts): Overview['upstreamSilent'] {
  const s = p.reporting.silence();
  return s.state === 'silent' ? { since: s.since, waiting: s.waiting } : undefined;
}

/** The session secret: 32 random bytes created once, kept 0600 in the state dir. One that
 *  cannot be kept (a full or read-only state dir) serves this run only: sign-ins end at the
 *  next start, and the page still opens. */
export async function loadSessionSecret(stateDir: string, log?: Pick<Logger, 'warn'>): Promise<Buffer> {
  const file = join(stateDir, 'session.key');
  try {
    const b = await readFile(file);
    if (b.length >= 32) return b;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const fresh = randomBytes(32);
  try {
    await writeAtomic(file, fresh, 0o600);
  } catch (e) {
    if (!isStorageError(e)) throw e;
    log?.warn(`page: the session key cannot be saved (${errorMessage(e)}); sign-ins last until utmd restarts`);
  }
  return fresh;
}

/** Builds the deps the web app needs from the running daemon. */
export function webDeps(p: PagePorts, credential: Credential, sessionSecret: Buffer, staticDir: string): WebDeps {
  const prov = p.provisioning;
  const lanHosts = p.plan()?.boxAddresses ?? [];
  const office = p.office;
  return {
    defaultLang: prov?.language ?? 'ja',
    desk: prov?.desk ?? null,
    timeZone: prov?.timeZone ?? DEFAULT_TIME_ZONE,
    now: p.now,
    overview: () => {
      const conditions = p.conditions.list();
      return {
        state: overallState(conditions, p.alerts.recent(200), p.now(), office?.acks(p.now() - 40 * 86_400_000) ?? []),
        conditions, mode: p.plan()?.mode ?? 'bridge', deviceId: p.deviceId, startedAt: p.startedAt,
        upstreamSilent: upstreamSilent(p),
      };
    },
    recentAlerts: (limit) => p.alerts.recent(limit).map((a) => withDeviceNames(a, p.nameDevice)),
    office,
    health: () => ({ ok: p.conditions.allOk(), conditions: p.conditions.list(), uptimeSeconds: Math.round((p.now() - p.startedAt) / 1000) }),
    auth: { verify: (pw) => verifyCredential(credential, pw, (e) => p.log.error('the upgraded admin hash could not be stored', e)) },
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

/** The plain page and the secure page as one WebServer (port: the plain one). */
function both(plain: WebServer, secure: WebServer, stop: () => void): WebServer & { httpsPort: number } {
  return {
    port: plain.port,
    httpsPort: secure.port,
    connections: () => {
      const a = plain.connections();
      const b = secure.connections();
      return { open: a.open + b.open, clients: a.clients + b.clients, refusedPerClient: a.refusedPerClient + b.refusedPerClient, timedOut: a.timedOut + b.timedOut };
    },
    close: async () => {
      stop();
      await Promise.all([plain.close(), secure.close()]);
    },
  };
}

/** Listens with the page's app. */
export type ListenPage = (app: RequestListener, at: { host: string; port: number; tls?: { cert: string; key: string } | undefined }) => Promise<WebServer>;

/** The secure page's parts: the certificate, and the allowed host names that follow the box. */
export interface SecurePage {
  cert: BoxCertificate;
  names: ReturnType<typeof hostNames>;
  httpsPort: number;
}

/** Loads (or makes) the box's certificate and starts following its host names. */
export async function prepareSecurePage(s: SecurePorts): Promise<SecurePage> {
  const cert = await loadCertificate(s);
  const names = hostNames(s);
  await names.start();
  return { cert, names, httpsPort: s.config.ui.httpsPort };
}

/** WebDeps for the secure page: login and every action only over HTTPS with the box's
 *  certificate; the plain page stays read-only and links to it. Allowed hosts follow the box. */
export function secureDeps(deps: WebDeps, s: SecurePorts, sp: SecurePage): WebDeps {
  return {
    ...deps,
    allowedHosts: () => sp.names.current(),
    secure: { httpsPort: sp.httpsPort, fingerprint256: sp.cert.fingerprint256 },
    technician: technicianSource(s, () => sp.cert, sp.httpsPort),
    diagnostics: () => diagnosticsArchive(s),
  };
}

/** Starts the plain and the secure page on every address of the box (the ruleset keeps them to
 *  the LAN side); rejects, having closed what it opened, when either cannot listen. */
export async function listenBoth(listen: ListenPage, app: RequestListener, plainPort: number, sp: SecurePage, log: Logger): Promise<WebServer> {
  const plain = await listen(app, { host: '::', port: plainPort });
  try {
    const secure = await listen(app, { host: '::', port: sp.httpsPort, tls: { cert: sp.cert.certPem, key: sp.cert.keyPem } });
    log.info(`secure page on port ${secure.port}, certificate SHA-256 ${sp.cert.fingerprint256} (${sp.cert.source})`);
    return both(plain, secure, () => undefined);
  } catch (e) {
    await plain.close();
    throw e;
  }
}
