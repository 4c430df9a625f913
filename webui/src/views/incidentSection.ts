// The page's incident section: the traffic feature's incidents (plain data), explained by the
// one message catalog and rendered by views/incidents.ts.
import { incidentAsAlert } from '../../../firmware/src/alerts/incidentText.js';
import type { IncidentsView } from '../../../firmware/src/traffic/view.js';
import type { Desk, PageSection } from '../deps/deps.js';
import { explainAlert } from '../i18n/explain.js';
import type { AlertCatalog } from '../i18n/types.js';
import { renderIncidents, type IncidentCard } from './incidents.js';

/** The page section listing the recent incidents with their alerts, each explained. */
export function incidentSection(view: IncidentsView, o: { catalog: AlertCatalog; desk: Desk | null }): PageSection {
  return (ctx) => {
    const cards: IncidentCard[] = view.recent().map(({ incident: i, alerts }) => ({
      id: i.id, severity: i.severity, openedAt: i.openedAt, lastAt: i.lastAt, kinds: i.kinds, findings: i.findings, device: i.device,
      text: explainAlert(incidentAsAlert(i), ctx.lang, o.catalog, o.desk),
      alerts: alerts.map((a) => ({ alert: a, text: explainAlert(a, ctx.lang, o.catalog, o.desk) })),
    }));
    return renderIncidents(cards, { lang: ctx.lang, timeZone: ctx.timeZone, technician: ctx.session.user !== null });
  };
}
