// Read-only JSON API: /api/health (for monitoring, no login) and /api/alerts.
import { Router } from 'express';
import { z } from 'zod';
import type { WebDeps } from '../deps/deps.js';
import { explainAlert } from '../i18n/explain.js';
import type { AlertCatalog } from '../i18n/types.js';

export const AlertsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).optional().describe('how many alerts, newest first (default 50)'),
  lang: z.enum(['ja', 'en']).optional().describe('language of the explained text (default: the provisioned one)'),
});

/** Builds the /api router. Handlers never change state. */
export function apiRouter(deps: WebDeps, catalog: AlertCatalog): Router {
  const r = Router();

  r.get('/health', (_req, res) => {
    res.json(deps.health());
  });

  r.get('/alerts', (req, res) => {
    const q = AlertsQuerySchema.safeParse(req.query);
    if (!q.success) {
      res.status(400).json({ error: 'bad query', issues: q.error.issues.map((i) => ({ path: i.path, message: i.message })) });
      return;
    }
    const lang = q.data.lang ?? deps.defaultLang;
    const alerts = [...deps.recentAlerts(q.data.limit ?? 50)].sort((a, b) => b.lastSeen - a.lastSeen);
    res.json({ alerts: alerts.map((a) => ({ ...a, text: explainAlert(a, lang, catalog, deps.desk) })) });
  });

  return r;
}
