// An incident seen as an Alert of kind `incident`, so the message catalog explains it with the
// same machinery (params cleaned, fallback text, whom to call) as any alert.
import type { Incident } from './incidents.js';
import type { Alert, AlertParams } from './types.js';

/** The pseudo-alert the catalog's `incident` template explains; `deviceNames` (alerts/naming.ts)
 *  name the device as staff know it. */
export function incidentAsAlert(i: Incident & { id: number; deviceNames?: AlertParams | undefined }): Alert {
  const device = i.device.ip ?? i.device.mac;
  return {
    id: i.id, kind: 'incident', severity: i.severity, dedupKey: `incident:${i.id}`, device: i.device, remote: null,
    direction: null, action: 'none', count: i.findings, firstSeen: i.openedAt, lastSeen: i.lastAt,
    params: { device, findings: i.findings, kinds: i.kinds.join(', '), ...i.deviceNames }, evidence: { kinds: i.kinds, stages: i.stages },
    incidentId: i.id,
  };
}
