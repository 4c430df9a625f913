// The web UI as an Express app: one server-rendered page, a read-only JSON API, login and
// an extension point for state-changing actions. The daemon builds WebDeps and mounts it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TIME_ZONE } from '../../firmware/src/config/provisioning.js';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { createAuth, sessionOf, type Refusal } from './auth/auth.js';
import { formatCookie, parseCookies } from './auth/cookies.js';
import type { PageContext, WebDeps, WebExtensions } from './deps/deps.js';
import { explainAlert } from './i18n/explain.js';
import { buildCatalog } from './i18n/alerts/index.js';
import type { Lang } from './i18n/types.js';
import { pickLang, UI } from './i18n/ui.js';
import { renderMessage } from './views/message.js';
import { renderPage } from './views/page.js';
import { apiRouter } from './routes/api.js';
import { hostGuard, securityHeaders } from './security.js';

export const LANG_COOKIE = 'utm_lang';
export const PAGE_ALERT_LIMIT = 20;
export const REFRESH_SECONDS = 30;

/** Finds webui/static whether running from source (tsx) or from dist/. */
function findStaticDir(configured: string | undefined): string {
  const candidates = [
    configured,
    fileURLToPath(new URL('../static', import.meta.url)),
    fileURLToPath(new URL('../../../webui/static', import.meta.url)),
  ];
  const found = candidates.find((d): d is string => !!d && existsSync(d));
  if (!found) throw new Error(`webui static directory not found (tried ${candidates.filter(Boolean).join(', ')})`);
  return found;
}

function langOf(req: Request, deps: WebDeps): Lang {
  return pickLang(req.query['lang'], parseCookies(req.get('cookie')).get(LANG_COOKIE), deps.defaultLang);
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
  }, refuse);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityHeaders);
  app.use(hostGuard(deps.allowedHosts));
  app.use('/static', express.static(findStaticDir(deps.staticDir), { index: false, dotfiles: 'ignore', maxAge: '1h', redirect: false }));
  app.use('/api', apiRouter(deps, catalog));

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
    const alerts = [...deps.recentAlerts(PAGE_ALERT_LIMIT)]
      .sort((a, b) => b.lastSeen - a.lastSeen)
      .map((alert) => ({ alert, text: explainAlert(alert, lang, catalog, deps.desk) }));
    const page = renderPage({
      lang, now, timeZone, overview: deps.overview(), desk: deps.desk, alerts, session,
      loginFailed: req.query['login'] === 'failed',
      sections: (ext.sections ?? []).map((s) => s(ctx)),
      refreshSeconds: Math.max(5, deps.refreshSeconds ?? REFRESH_SECONDS),
    });
    res.type('html').send(page.toString());
  });

  app.post('/login', auth.login);
  app.post('/logout', auth.logout);

  const actions = express.Router();
  actions.use(auth.requireLogin);
  actions.use((req, res, next) => {
    res.locals['lang'] = langOf(req, deps);
    next();
  });
  for (const mount of ext.actions ?? []) mount(actions);
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
