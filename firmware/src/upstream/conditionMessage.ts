// Pure: the upstream message for a condition that failed or recovered. Both carry the condition
// id and when the failure began, so the monitoring centre opens a ticket on the failure and
// closes the same ticket on the recovery.
import type { UpstreamMessage } from './contract.js';
import type { ConditionEvent } from './episodes.js';

export const CONDITION_SD_ID = 'utmCondition@32473';

/** What kind of alert the page shows for a condition, when it shows one (app/health.ts; a
 *  unit test holds the two equal). */
export function conditionKind(id: string): string | undefined {
  if (id === 'ruleset') return 'ruleset_failed';
  if (id.startsWith('sensor:')) return 'sensor_down';
  if (id === 'upstream') return 'upstream_unreachable';
  if (id.startsWith('feed:')) return 'feed_fault';
  if (id === 'disk') return 'disk_low';
  if (id === 'storage') return 'storage_failed';
  if (id === 'ports') return 'ports_unproven';
  if (id === 'page') return 'page_down';
  if (id === 'control') return 'control_down';
  return undefined;
}

/** Failure: warning (4), or error (3) for the ruleset; recovery: notice (5). */
export function conditionMessage(e: ConditionEvent, text: string): UpstreamMessage {
  const failure = e.type === 'failure';
  return {
    class: 'condition', msgId: failure ? 'condition' : 'recovery',
    severity: failure ? (e.id === 'ruleset' ? 3 : 4) : 5,
    timestamp: e.at, text,
    sd: [{ id: CONDITION_SD_ID, params: {
      id: e.id, state: failure ? 'failed' : 'recovered', kind: conditionKind(e.id),
      failedAt: new Date(e.failedAt).toISOString(),
      recoveredAt: failure ? undefined : new Date(e.at).toISOString(),
      downS: failure ? undefined : Math.max(0, Math.round((e.at - e.failedAt) / 1000)),
      detail: e.detail.slice(0, 300) || undefined,
    } }],
  };
}
