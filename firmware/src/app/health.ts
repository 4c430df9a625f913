// Fail loud for monitoring: when a watched condition goes bad, it becomes an alert that is
// stored, shown and sent upstream like any other. Recovery is recorded on the condition.
import type { Finding } from '../alerts/types.js';
import type { Condition } from './conditions.js';

/** The alert for a condition that just failed, or null when it is not alert-worthy. */
export function conditionFinding(c: Condition, queued: number | null): Finding | null {
  if (c.ok) return null;
  const base = { at: c.since, action: 'none' as const, evidence: { condition: c.id, detail: c.detail ?? '' } };
  if (c.id === 'ruleset') return { ...base, kind: 'ruleset_failed', severity: 'warning', dedupKey: 'ruleset', params: {} };
  if (c.id.startsWith('sensor:')) return { ...base, kind: 'sensor_down', severity: 'warning', dedupKey: c.id, params: { sensor: c.id.slice(7) } };
  if (c.id === 'ports') return { ...base, kind: 'ports_unproven', severity: 'warning', dedupKey: 'ports', params: {} };
  if (c.id === 'upstream') return { ...base, kind: 'upstream_unreachable', severity: 'info', dedupKey: 'upstream', params: { queued: queued ?? undefined } };
  return null;
}
