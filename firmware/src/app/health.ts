// Fail loud for monitoring: when a watched condition goes bad, it becomes an alert that is
// stored and shown on the page. Upstream hears of it through the condition's own failure and
// recovery messages (app/reporting.ts), once each, so the alert itself stays on the box.
import type { Finding } from '../alerts/types.js';
import type { Condition } from './conditions.js';
import { READ_ONLY_CODES } from '../errors/storageError.js';
import { RESERVE_USED_NOTE } from './storage.js';

/** The page alert for a condition that just failed, or null when it is not alert-worthy. */
export function conditionFinding(c: Condition, queued: number | null): Finding | null {
  if (c.ok) return null;
  const base = { at: c.since, action: 'none' as const, evidence: { condition: c.id, detail: c.detail ?? '' }, upstream: false };
  if (c.id === 'ruleset') return { ...base, kind: 'ruleset_failed', severity: 'warning', dedupKey: 'ruleset', params: {} };
  if (c.id.startsWith('sensor:')) return { ...base, kind: 'sensor_down', severity: 'warning', dedupKey: c.id, params: { sensor: c.id.slice(7) } };
  if (c.id === 'disk') return { ...base, kind: 'disk_low', severity: 'warning', dedupKey: 'disk', params: { freeMb: freeMbOf(c.detail) } };
  if (c.id === 'storage') return { ...base, kind: 'storage_failed', severity: 'warning', dedupKey: 'storage', params: storageParams(c.detail) };
  if (c.id === 'ports') return { ...base, kind: 'ports_unproven', severity: 'warning', dedupKey: 'ports', params: {} };
  if (c.id === 'page') return { ...base, kind: 'page_down', severity: 'warning', dedupKey: 'page', params: {} };
  if (c.id === 'control') return { ...base, kind: 'control_down', severity: 'warning', dedupKey: 'control', params: {} };
  if (c.id === 'upstream') return { ...base, kind: 'upstream_unreachable', severity: 'info', dedupKey: 'upstream', params: { queued: queued ?? undefined } };
  return null;
}

/** What the office's storage alert needs from a 'storage' condition's detail: `readOnly`, a
 *  file system that turned read-only (EROFS; SQLite's SQLITE_READONLY*), a fault that does not
 *  mend itself, unlike a full disk; `onReserve`, a full disk whose reserve the box now writes
 *  on (app/storage.ts), so alerts are still kept and sent. */
function storageParams(detail = ''): { readOnly?: true; onReserve?: true } {
  if (READ_ONLY_CODES.test(detail)) return { readOnly: true };
  return detail.includes(RESERVE_USED_NOTE) ? { onReserve: true } : {};
}

/** The free MB a 'disk' condition's detail starts with ("12 MB free …"), for the message. */
function freeMbOf(detail: string | undefined): number | undefined {
  const m = /^(\d+) MB free/.exec(detail ?? '');
  return m?.[1] === undefined ? undefined : Number(m[1]);
}
