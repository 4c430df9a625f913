// The technician view and the diagnostics download, both behind requireLogin (and, for the
// download, the CSRF check of every POST). Read-only apart from building the archive.
import { Router, type RequestHandler } from 'express';
import type { WebDeps } from '../deps/deps.js';
import { sessionOf } from '../auth/auth.js';
import type { Lang } from '../i18n/types.js';
import { renderTech } from '../views/tech.js';

/** Builds the /tech router; `requireLogin` guards every route on it. */
export function techRouter(deps: WebDeps, requireLogin: RequestHandler, langOf: (req: Parameters<RequestHandler>[0]) => Lang, timeZone: string): Router {
  const r = Router();
  r.use(requireLogin);

  r.get('/', (req, res) => {
    const page = renderTech({
      lang: langOf(req), timeZone,
      facts: deps.technician?.() ?? null,
      conditions: deps.overview().conditions,
      alerts: [...deps.recentAlerts(50)].sort((a, b) => b.lastSeen - a.lastSeen),
      csrf: sessionOf(res).csrf,
      diagnostics: deps.diagnostics !== undefined,
    });
    res.type('html').send(page.toString());
  });

  r.post('/diagnostics', (_req, res, next) => {
    const make = deps.diagnostics;
    if (!make) {
      res.status(404).end();
      return;
    }
    make().then((archive) => {
      const stamp = new Date(deps.now()).toISOString().replace(/[:.]/g, '-');
      res.set('Content-Disposition', `attachment; filename="otasuke-diag-${stamp}.tar.gz"`);
      res.type('application/gzip').send(archive);
    }, next);
  });

  return r;
}
