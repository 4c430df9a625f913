// Data for the page's incident section: the latest incidents with their alerts, explained.
import type { Provisioning } from '../config/provisioning.js';
import { incidentAsAlert } from '../alerts/incidentText.js';
import { AlertsRepo } from '../store/alertsRepo.js';
import type { Db } from '../store/db.js';
import { IncidentsRepo } from '../store/incidentsRepo.js';
import type { Alert } from '../alerts/types.js';
import { buildCatalog, explainAlert, type PageSection } from '../../../webui/src/index.js';
import { renderIncidents, type IncidentCard } from '../../../webui/src/views/incidents.js';

const SHOWN = 10;
const ALERTS_PER_INCIDENT = 8;
const DAY = 86_400_000;

/** The page section listing incidents of the last 7 days, most severe first, then newest. */
export function incidentSection(o: { db: Db; provisioning: Provisioning | null; now: () => number; timeZone?: string }): PageSection {
  const incidents = new IncidentsRepo(o.db);
  const alerts = new AlertsRepo(o.db);
  const catalog = buildCatalog();
  const desk = o.provisioning?.desk ?? null;
  return (ctx) => {
    const cards: IncidentCard[] = incidents.recent(SHOWN, o.now() - 7 * DAY).map((i) => {
      const list = incidents.alertIds(i.id).slice(-ALERTS_PER_INCIDENT).map((id) => alerts.get(id)).filter((a): a is Alert => a !== undefined);
      return {
        id: i.id, severity: i.severity, openedAt: i.openedAt, lastAt: i.lastAt, kinds: i.kinds, findings: i.findings, device: i.device,
        text: explainAlert(incidentAsAlert(i), ctx.lang, catalog, desk),
        alerts: list.map((a) => ({ alert: a, text: explainAlert(a, ctx.lang, catalog, desk) })),
      };
    });
    return renderIncidents(cards, { lang: ctx.lang, timeZone: o.timeZone ?? 'Asia/Tokyo', technician: ctx.session.user !== null });
  };
}
