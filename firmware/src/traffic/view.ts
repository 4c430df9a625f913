// What the traffic feature hands the web UI: the latest incidents with the alerts they group,
// as plain data. Wording (the message catalog) and HTML live in webui/ (views/incidentSection.ts).
import type { Incident } from '../alerts/incidents.js';
import type { Alert } from '../alerts/types.js';
import { AlertsRepo } from '../alerts/alertsRepo.js';
import type { Db } from '../store/db.js';
import { IncidentsRepo } from '../alerts/incidentsRepo.js';

const SHOWN = 10;
const ALERTS_PER_INCIDENT = 8;
const DAY = 86_400_000;

/** One incident and (the newest of) its alerts, oldest alert first. */
export interface IncidentEntry {
  incident: Incident & { id: number };
  alerts: Alert[];
}

/** The traffic feature's view model for the page. */
export interface IncidentsView {
  /** Incidents of the last 7 days, most severe first, then newest. */
  recent(): IncidentEntry[];
}

/** What the incidents view reads: the traffic feature's repositories. */
export interface TrafficRepos {
  incidents: IncidentsRepo;
  alerts: AlertsRepo;
}

/** Prepares the traffic feature's statements on the open store. */
export function trafficRepos(db: Db): TrafficRepos {
  return { incidents: new IncidentsRepo(db), alerts: new AlertsRepo(db) };
}

/** The incidents view over the store. */
export function incidentsView(o: TrafficRepos & { now: () => number }): IncidentsView {
  const { incidents, alerts } = o;
  return {
    recent: () => incidents.recent(SHOWN, o.now() - 7 * DAY).map((incident) => ({
      incident,
      alerts: incidents.alertIds(incident.id).slice(-ALERTS_PER_INCIDENT).map((id) => alerts.get(id)).filter((a): a is Alert => a !== undefined),
    })),
  };
}
