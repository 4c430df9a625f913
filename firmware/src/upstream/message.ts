// Pure: the upstream message for one alert. Structured data carries the facts a monitoring
// centre's tools need; the free text is the plain-language explanation. The sink numbers and
// formats it (RFC 5424).
import type { Alert, Severity } from '../alerts/types.js';
import type { UpstreamMessage } from './contract.js';

export const SD_ID = 'utm@32473';
export const INCIDENT_SD_ID = 'utmIncident@32473'; // 32473: the enterprise number RFC 5612 reserves for examples
const SYSLOG_SEVERITY: Record<Severity, number> = { danger: 2, warning: 4, info: 6 }; // crit, warning, info

/** What upstream hears about the incident an alert opened or escalated. */
export interface IncidentSummary { id: number; severity: Severity; kinds: readonly string[]; findings: number; openedAt: number }

const textParam = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The upstream message for `alert`, with `text` as the human-readable part; with `incident`,
 *  the message announces that incident (opened, escalated or given a new kind) and takes its severity. */
export function alertToSyslog(alert: Alert, o: { text: string; incident?: IncidentSummary | undefined }): UpstreamMessage {
  const inc = o.incident;
  return {
    class: 'alert',
    alertId: alert.id,
    severity: SYSLOG_SEVERITY[inc?.severity ?? alert.severity],
    timestamp: alert.lastSeen,
    msgId: alert.kind,
    sd: [
      {
        id: SD_ID,
        params: {
          alert: alert.id, kind: alert.kind, severity: alert.severity, action: alert.action,
          deviceMac: alert.device.mac, deviceIp: alert.device.ip,
          // How staff know the device (alerts/naming.ts): a staff label and a self-given hostname
          // are separate params, never one "name". Hostile text, escaped by formatRfc5424.
          deviceLabel: textParam(alert.params['deviceLabel']), deviceHostname: textParam(alert.params['deviceName']),
          remoteIp: alert.remote?.ip,
          // The name the device looked up for it (DNS name sensor): hostile text, escaped by formatRfc5424.
          remoteName: typeof alert.evidence['remoteName'] === 'string' ? alert.evidence['remoteName'] : undefined,
          remotePort: alert.remote?.port, direction: alert.direction, count: alert.count,
          firstSeen: new Date(alert.firstSeen).toISOString(), lastSeen: new Date(alert.lastSeen).toISOString(),
          incident: inc?.id ?? alert.incidentId,
          // The kind this alert said before a correction (a device reclassified on later evidence).
          replaces: typeof alert.evidence['replaces'] === 'string' ? alert.evidence['replaces'] : undefined,
        },
      },
      ...(inc ? [{ id: INCIDENT_SD_ID, params: {
        id: inc.id, severity: inc.severity, kinds: inc.kinds.join(','), findings: inc.findings, openedAt: new Date(inc.openedAt).toISOString(),
      } }] : []),
    ],
    text: o.text,
  };
}
