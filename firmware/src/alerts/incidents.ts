// Pure grouping of findings into incidents: related findings on one device within a window
// become one incident whose severity rises as the story builds up (a new device, then a
// beacon, then a large upload is one incident, not three alerts). The store keeps incidents;
// this module only decides.
import type { DeviceRef, Finding, Severity } from './types.js';

/** Kill-chain stage of a finding kind; findings in more stages mean a more serious incident. */
export const STAGE_OF: Readonly<Record<string, 'arrival' | 'control' | 'action'>> = {
  new_device: 'arrival', unknown_device: 'arrival', threat_repeat: 'arrival',
  beacon: 'control', threat_contact: 'control', long_connection: 'control',
  upload: 'action', mail_abuse: 'action', scan: 'action',
};

const RANK: Record<Severity, number> = { info: 0, warning: 1, danger: 2 };

export function severityRank(s: Severity): number { return RANK[s]; }
export function maxSeverity(a: Severity, b: Severity): Severity { return RANK[a] >= RANK[b] ? a : b; }

export interface Incident {
  /** Device the incident is about (mac, else ip). */
  deviceKey: string;
  device: DeviceRef;
  openedAt: number;
  lastAt: number;
  kinds: string[];
  stages: string[];
  findings: number;
  /** The highest single finding severity, before escalation. */
  baseSeverity: Severity;
  severity: Severity;
}

export interface IncidentRules {
  /** A finding more than this long (ms, event time) after the incident's last one opens a new incident. */
  windowMs: number;
}

/** Key used to group by device; undefined when the finding names no device (not grouped). */
export function incidentDeviceKey(d: DeviceRef | undefined): string | undefined {
  return d?.mac ?? d?.ip;
}

/** Severity of an incident from its findings: the highest one, raised one step when the findings
 *  span two stages, and to danger when they span three. */
export function incidentSeverity(base: Severity, stages: number): Severity {
  const bump = stages >= 3 ? 2 : stages === 2 ? 1 : 0;
  const rank = RANK[base] + bump;
  return rank >= 2 ? 'danger' : rank === 1 ? 'warning' : 'info';
}

export type IncidentDecision =
  | { action: 'open'; incident: Incident }
  | { action: 'join'; incident: Incident; escalated: boolean; newKind: boolean }
  | { action: 'none' };

/** Decide where `f` goes, given the device's latest incident (or undefined). Returns the new or
 *  updated incident; never mutates `current`. Findings without a device are not grouped. */
export function assignIncident(current: Incident | undefined, f: Finding, rules: IncidentRules): IncidentDecision {
  const key = incidentDeviceKey(f.device);
  if (key === undefined) return { action: 'none' };
  const stage = STAGE_OF[f.kind];
  if (current === undefined || current.deviceKey !== key || f.at - current.lastAt > rules.windowMs) {
    const stages = stage ? [stage] : [];
    return { action: 'open', incident: {
      deviceKey: key, device: { ...f.device }, openedAt: f.at, lastAt: f.at, kinds: [f.kind], stages, findings: 1,
      baseSeverity: f.severity, severity: incidentSeverity(f.severity, stages.length),
    } };
  }
  const kinds = current.kinds.includes(f.kind) ? current.kinds : [...current.kinds, f.kind];
  const stages = stage && !current.stages.includes(stage) ? [...current.stages, stage] : current.stages;
  const baseSeverity = maxSeverity(current.baseSeverity, f.severity);
  const severity = maxSeverity(current.severity, incidentSeverity(baseSeverity, stages.length));
  return { action: 'join', escalated: RANK[severity] > RANK[current.severity], newKind: kinds !== current.kinds, incident: {
    ...current, device: { mac: current.device.mac ?? f.device?.mac, ip: f.device?.ip ?? current.device.ip },
    lastAt: Math.max(current.lastAt, f.at), kinds, stages, findings: current.findings + 1, baseSeverity, severity,
  } };
}

/** Order for the page: most severe first, then newest. */
export function compareIncidents(a: Pick<Incident, 'severity' | 'lastAt'>, b: Pick<Incident, 'severity' | 'lastAt'>): number {
  return RANK[b.severity] - RANK[a.severity] || b.lastAt - a.lastAt;
}
