// What the traffic feature hands the web UI: the latest incidents with the alerts they group,
// as plain data. Wording (the message catalog) and HTML live in webui/ (office/model.ts, views/officeCards.ts).
import type { Incident } from '../alerts/incidents.js';
import type { Alert, AlertParams } from '../alerts/types.js';
import { namingParams, withDeviceNames, type NameDevice } from '../alerts/naming.js';
import { AlertsRepo } from '../alerts/alertsRepo.js';
import { DeviceBytesRepo } from './deviceBytesRepo.js';
import type { Db } from '../store/db.js';
import { IncidentsRepo } from '../alerts/incidentsRepo.js';

const SHOWN = 10;
const ALERTS_PER_INCIDENT = 8;
const DAY = 86_400_000;

/** One incident and (the newest of) its alerts, oldest alert first. */
export interface IncidentEntry {
  incident: Incident & { id: number; deviceNames?: AlertParams | undefined };
  alerts: Alert[];
}

/** The traffic feature's view model for the page. */
export interface IncidentsView {
  /** Incidents of the last 7 days, most severe first, then newest. */
  recent(): IncidentEntry[];
}

/** The traffic feature's repositories (incidents view, per-device byte totals). */
export interface TrafficRepos {
  incidents: IncidentsRepo;
  alerts: AlertsRepo;
  deviceBytes: DeviceBytesRepo;
}

/** Prepares the traffic feature's statements on the open store. */
export function trafficRepos(db: Db, now: () => number): TrafficRepos {
  return { incidents: new IncidentsRepo(db), alerts: new AlertsRepo(db), deviceBytes: new DeviceBytesRepo(db, now) };
}

/** The incidents view over the store; devices are named as staff know them (`name`). */
export function incidentsView(o: Pick<TrafficRepos, 'incidents' | 'alerts'> & { now: () => number; name?: NameDevice | undefined }): IncidentsView {
  const { incidents, alerts } = o;
  return {
    recent: () => incidents.recent(SHOWN, o.now() - 7 * DAY).map((incident) => {
      const n = o.name?.(incident.device);
      return {
        incident: n ? { ...incident, deviceNames: namingParams(n) } : incident,
        alerts: incidents.alertIds(incident.id).slice(-ALERTS_PER_INCIDENT).map((id) => alerts.get(id))
          .filter((a): a is Alert => a !== undefined).map((a) => withDeviceNames(a, o.name)),
      };
    }),
  };
}
