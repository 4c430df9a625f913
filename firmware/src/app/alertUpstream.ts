// The upstream message for an alert, as the daemon queues it: the device named as staff know
// it, the incident's title first when the incident has more than one finding, then the alert's
// title, what happened, what the box did and what to do. Pure given `explain` and `name`, so
// replay tests build exactly what the box sends.
import { incidentAsAlert } from '../alerts/incidentText.js';
import { withDeviceNames, type NameDevice } from '../alerts/naming.js';
import type { Alert } from '../alerts/types.js';
import type { StoredIncident } from '../alerts/incidentsRepo.js';
import type { UpstreamMessage } from '../upstream/contract.js';
import { alertToSyslog } from '../upstream/message.js';
import type { AlertWords } from '../text/staffText.js';

/** The message for `a` (announcing `incident` when given). */
export function alertUpstream(a: Alert, incident: StoredIncident | undefined, explain: (a: Alert) => AlertWords, name?: NameDevice): UpstreamMessage {
  const named = withDeviceNames(a, name);
  const t = explain(named);
  const head = incident && incident.findings > 1 ? `${explain(withDeviceNames(incidentAsAlert(incident), name)).title} ` : '';
  return alertToSyslog(named, { text: `${head}${t.title} ${t.what} ${t.did} ${t.todo}`, incident });
}
