// Read-only JSON API: /api/health (for monitoring) and /api/alerts. Without login both give
// state and counts only (routes/publicView.ts); a logged-in session over the secure page
// gets the details and the evidence.
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { WebDeps } from '../deps/deps.js';
import { explainAlert } from '../i18n/explain.js';
import type { AlertCatalog } from '../i18n/types.js';
import { publicAlerts, publicHealth } from './publicView.js';

export const AlertsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).optional().describe('how many alerts, newest first (default 50)'),
  lang: z.enum(['ja', 'en']).optional().describe('language of the explained text (default: the provisioned one)'),
});

/** Builds the /api router. Handlers never change state; `loggedIn` reads the session
 *  cookie without issuing one. */
export function apiRouter(deps: WebDeps, catalog: AlertCatalog, loggedIn: (req: Request) => boolean): Router {
  const r = Router();

  r.get('/health', (req, res) => {
    res.json(loggedIn(req) ? deps.health() : publicHealth(deps.overview(), deps.now()));
  });

  r.get('/alerts', (req, res) => {
    const q = AlertsQuerySchema.safeParse(req.query);
    if (!q.success) {
      res.status(400).json({ error: 'bad query', issues: q.error.issues.map((i) => ({ path: i.path, message: i.message })) });
      return;
    }
    const alerts = [...deps.recentAlerts(q.data.limit ?? 50)].sort((a, b) => b.lastSeen - a.lastSeen);
    if (!loggedIn(req)) {
      res.json(publicAlerts(deps.overview(), alerts));
      return;
    }
    const lang = q.data.lang ?? deps.defaultLang;
    res.json({ alerts: alerts.map((a) => ({ ...a, text: explainAlert(a, lang, catalog, deps.desk) })) });
  });

  return r;
}
