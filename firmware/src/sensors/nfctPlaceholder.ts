// Minimal NFCT (conntrack flow) datagram check until the detectors work brings the typed
// flow parser: it only proves the shape, bounds the record and keeps primitive values, so
// flow datagrams are counted and delivered instead of being reported as unhandled.
import type { FlowEvent } from './events.js';

const MAX_KEYS = 64;
const MAX_KEY_LEN = 64;
const MAX_STRING = 128;
const CT_EVENTS = new Set([1, 2, 4]);

export type NfctErrorReason = 'not-object' | 'bad-ct-event' | 'too-many-keys' | 'bad-value';

export type NfctParseResult =
  | { ok: true; event: FlowEvent }
  | { ok: false; reason: NfctErrorReason; field?: string | undefined };

/** True when `obj` looks like an NFCT flow record (has `ct.event`), for dispatch. */
export function isNfctShape(obj: Record<string, unknown>): boolean {
  return 'ct.event' in obj;
}

/** Check and flatten one decoded NFCT datagram; `receivedAt` (ms) if it has no end time. */
export function parseNfctPlaceholder(value: unknown, receivedAt: number): NfctParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not-object' };
  }
  const obj = value as Record<string, unknown>;
  const ctEvent = obj['ct.event'];
  if (typeof ctEvent !== 'number' || !CT_EVENTS.has(ctEvent)) {
    return { ok: false, reason: 'bad-ct-event', field: 'ct.event' };
  }
  const keys = Object.keys(obj);
  if (keys.length > MAX_KEYS) return { ok: false, reason: 'too-many-keys' };
  const record: Record<string, string | number> = {};
  for (const k of keys) {
    const v = obj[k];
    if (k.length > MAX_KEY_LEN) return { ok: false, reason: 'bad-value', field: k.slice(0, MAX_KEY_LEN) };
    if (typeof v === 'number' && Number.isFinite(v)) record[k] = v;
    else if (typeof v === 'string' && v.length <= MAX_STRING) record[k] = v;
    else return { ok: false, reason: 'bad-value', field: k };
  }
  const endSec = record['flow.end.sec'];
  const endUsec = record['flow.end.usec'];
  const at = typeof endSec === 'number' && Number.isInteger(endSec) && endSec >= 0
    ? endSec * 1000 + (typeof endUsec === 'number' ? Math.floor(endUsec / 1000) : 0)
    : receivedAt;
  return { ok: true, event: { type: 'flow', at, ctEvent, record } };
}
