// The web UI as an Express app: one server-rendered page, a read-only JSON API, login and
// an extension point for state-changing actions. The daemon builds WebDeps and mounts it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../firmware/src/sys/paths.js';
import { DEFAULT_TIME_ZONE } from '../../firmware/src/config/provisioning.js';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { createAuth, overTls, sessionOf, type Refusal } from './auth/auth.js';
import { formatCookie, parseCookies } from './auth/cookies.js';
import type { PageContext, WebDeps, WebExtensions } from './deps/deps.js';
import { buildCatalog } from './i18n/alerts/index.js';
import type { Lang } from './i18n/types.js';
import type { DoneAction } from './i18n/office.js';
import { pickLang, UI } from './i18n/ui.js';
import { renderMessage } from './views/message.js';
import { renderPage } from './views/page.js';
import { buildOfficeModel } from './office/model.js';
import { weekDays, weekFacts, type WeekFacts } from './office/week.js';
import { mountAckAction } from './routes/ackActions.js';
import { reportRouter } from './routes/report.js';
import { apiRouter } from './routes/api.js';
import { hostGuard, securityHeaders } from './security.js';
import { hostOfHostHeader, urlHost } from '../../firmware/src/net/hostOrAddress.js';
import { techRouter } from './routes/tech.js';

export const LANG_COOKIE = 'utm_lang';
export const PAGE_ALERT_LIMIT = 20;
export const REFRESH_SECONDS = 30;
/** 対応済み marks older than this no longer matter to the page (its alerts are gone by then). */
const ACK_LOOKBACK_MS = 40 * 86_400_000;

/** The action whose result the page shows (post/redirect/get), from the `done` query. */
function doneOf(q: unknown): DoneAction | null {
  return q === 'approve' || q === 'quarantine' || q === 'release' || q === 'ack' ? q : null;
}

/** webui/static: the one configured, or the package's (from source, dist or the bundle alike). */
function findStaticDir(configured: string | undefined): string {
  const candidates = [configured, join(packageRoot(), 'webui', 'static')];
  const found = candidates.find((d): d is string => !!d && existsSync(d));
  if (!found) throw new Error(`webui static directory not found (tried ${candidates.filter(Boolean).join(', ')})`);
  return found;
}

function langOf(req: Request, deps: WebDeps): Lang {
  return pickLang(req.query['lang'], parseCookies(req.get('cookie')).get(LANG_COOKIE), deps.defaultLang);
}

/** The secure page's address for a request that came by `host` (already checked by hostGuard). */
export function secureUrl(host: string | undefined, httpsPort: number): string {
  const name = urlHost(hostOfHostHeader(host) || 'localhost');
  return `https://${name}${httpsPort === 443 ? '' : `:${httpsPort}`}/`;
}

/** Builds the app. Throws WeakSecretError for a short session secret, or when static files are missing. */
export function createWebApp(deps: WebDeps, ext: WebExtensions = {}): express.Express {
  const catalog = deps.catalog ?? buildCatalog();
  const timeZone = deps.timeZone ?? DEFAULT_TIME_ZONE;
  const onError = deps.onError ?? ((err: unknown) => console.error('webui:', err));

  const send = (req: Request, res: Response, status: number, message: (l: Lang) => string): void => {
    const lang = langOf(req, deps);
    if (req.accepts(['html', 'json']) === 'json') {
      res.status(status).json({ error: message('en') });
      return;
    }
    res.status(status).type('html').send(renderMessage(lang, message(lang)).toString());
  };
  const refuse: Refusal = (req, res, status, retryAfterMs) => {
    if (status === 429 && retryAfterMs !== undefined) res.set('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
    const pick = { 400: 'badRequest', 401: 'notLoggedIn', 403: 'forbidden', 429: 'tooManyAttempts' } as const;
    send(req, res, status, (l) => UI[l][pick[status]]);
  };

  const auth = createAuth({
    secret: deps.sessionSecret,
    now: () => deps.now(),
    verifyPassword: (p) => deps.auth.verify(p),
    secureCookies: deps.secureCookies ?? false,
    httpsOnly: deps.secure !== undefined,
  }, refuse);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityHeaders);
  app.use(hostGuard(deps.allowedHosts));
  app.use('/static', express.static(findStaticDir(deps.staticDir), { index: false, dotfiles: 'ignore', maxAge: '1h', redirect: false }));
  app.use('/api', apiRouter(deps, catalog, auth.loggedIn));

  // Everything below may see a body; it is size-limited and only parsed for forms and JSON.
  app.use(express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 32 }));
  app.use(express.json({ limit: '16kb' }));
  app.use(auth.session);
  app.use(auth.csrf);

  app.get('/', (req, res) => {
    const lang = langOf(req, deps);
    const q = req.query['lang'];
    if (q === 'ja' || q === 'en') {
      res.append('Set-Cookie', formatCookie(LANG_COOKIE, q, { maxAgeSeconds: 365 * 86400, httpOnly: true, sameSite: 'Lax', secure: deps.secureCookies }));
    }
    const now = deps.now();
    const session = sessionOf(res);
    const ctx: PageContext = { lang, session, now, timeZone };
    const overview = deps.overview();
    const devices = ext.devices?.list() ?? null;
    const office = buildOfficeModel({
      now, alerts: deps.recentAlerts(PAGE_ALERT_LIMIT), incidents: ext.incidents?.recent() ?? [],
      devices: devices?.devices ?? [], acks: deps.office?.acks(now - ACK_LOOKBACK_MS) ?? [], conditions: overview.conditions,
      audit: ext.devices?.decisions?.() ?? [],
    });
    let week: WeekFacts | null = null;
    let reportMonth: string | null = null;
    if (deps.office) {
      const lastDay = deps.office.dayOf(now - 86_400_000);
      const days = weekDays(lastDay);
      week = weekFacts(deps.office.dailyStats(days[0] ?? lastDay, lastDay), lastDay);
      reportMonth = deps.office.dayOf(now).slice(0, 7);
    }
    const done = doneOf(req.query['done']);
    const page = renderPage({
      lang, now, timeZone, overview, desk: deps.desk, office, catalog, devices, week, reportMonth, session,
      done,
      loginFailed: req.query['login'] === 'failed',
      secure: deps.secure ? { url: overTls(req) ? null : secureUrl(req.get('host'), deps.secure.httpsPort), fingerprint256: deps.secure.fingerprint256 } : undefined,
      sections: (ext.sections ?? []).map((s) => s(ctx)),
      refreshSeconds: Math.max(5, deps.refreshSeconds ?? REFRESH_SECONDS),
    });
    res.type('html').send(page.toString());
  });

  if (deps.office) app.use('/report', reportRouter(deps.office, { lang: (req) => langOf(req, deps), timeZone, deviceId: () => deps.overview().deviceId, now: () => deps.now() }));

  app.use('/tech', techRouter(deps, auth.requireLogin, (req) => langOf(req, deps), timeZone));
  app.post('/login', auth.login);
  app.post('/logout', auth.logout);

  const actions = express.Router();
  actions.use(auth.requireLogin);
  actions.use((req, res, next) => {
    res.locals['lang'] = langOf(req, deps);
    next();
  });
  for (const mount of ext.actions ?? []) mount(actions);
  const officePort = deps.office;
  if (officePort) mountAckAction(officePort, () => deps.now(), actions);
  app.use('/actions', actions);

  app.use((req, res) => send(req, res, 404, (l) => UI[l].notFound));

  const errors: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const status = typeof err === 'object' && err !== null ? Number((err as { status?: unknown }).status) : NaN;
    if (status >= 400 && status < 500) {
      send(req, res, status, (l) => UI[l].badRequest);
      return;
    }
    onError(err);
    if (res.headersSent) return;
    send(req, res, 500, (l) => UI[l].serverError);
  };
  app.use(errors);
  return app;
}
