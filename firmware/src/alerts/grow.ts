// How a stored alert grows when later findings fold into it (pipeline.ts). A finding's params
// describe the whole story so far: how many servers, hosts, ports, connections, how long, how
// much data. The stored alert, the page and the next upstream message must say the current
// figure, never the one from the first sighting. Sizes measured over a sliding window (distinct
// servers in 10 minutes) keep their largest value; amounts that add up (bytes sent in separate
// hourly uploads) are summed; everything else (a beacon's interval, which settles) takes the
// latest finding's value.
import type { AlertParams } from './types.js';

/** Params that measure a finding's size, and how two sightings combine. */
export const PARAM_GROWTH: Readonly<Record<string, 'max' | 'sum'>> = {
  servers: 'max',
  hosts: 'max',
  ports: 'max',
  connections: 'max',
  attempts: 'max',
  addresses: 'max',
  hours: 'max',
  connectedSeconds: 'max',
  bytes: 'sum',
  uploads: 'sum',
};

/** The params of an alert after `next` folds into `prev`. Pure. */
export function growParams(prev: AlertParams, next: AlertParams): AlertParams {
  const out: AlertParams = { ...prev, ...next };
  for (const [key, how] of Object.entries(PARAM_GROWTH)) {
    const a = prev[key], b = next[key];
    if (typeof a !== 'number' || typeof b !== 'number') continue;
    out[key] = how === 'max' ? Math.max(a, b) : a + b;
  }
  return out;
}

/** The size params of `p` (what "how big is it" says), for telling upstream when it has grown. */
export function sizeOf(p: AlertParams): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(PARAM_GROWTH)) {
    const v = p[key];
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
  }
  return out;
}

/** True when some size in `now` is at least twice what upstream was last told (or new): the
 *  monitoring centre hears of a growing finding at each doubling, not at every new server. */
export function grewEnough(told: Record<string, number>, now: Record<string, number>): boolean {
  return Object.entries(now).some(([k, v]) => {
    const was = told[k];
    return was === undefined ? v > 0 : v >= 2 * Math.max(was, 1);
  });
}
