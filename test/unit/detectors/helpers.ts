// Synthetic flow streams for detector tests. Times are event ms.
import { readFileSync } from 'node:fs';
import type { FlowRecord } from '../../../firmware/src/flows/parse.js';
import { makeContext, type DetectorContext } from '../../../firmware/src/detectors/context.js';
import { clocked, parseThresholds, type Thresholds } from '../../../firmware/src/detectors/thresholds.js';
import { rng } from '../../helpers/rng.js';
export { rng };

export const RULES = JSON.parse(readFileSync(new URL('../../../rules/thresholds.json', import.meta.url), 'utf8')) as unknown;

/** The shipped thresholds with overrides (deep-merged one level). */
export function thresholds(over: Partial<Record<keyof Thresholds, unknown>> = {}): Thresholds {
  const base = structuredClone(RULES) as Record<string, unknown>;
  for (const [k, v] of Object.entries(over)) {
    const cur = base[k];
    base[k] = typeof cur === 'object' && cur !== null && !Array.isArray(cur) && typeof v === 'object' && v !== null && !Array.isArray(v)
      ? { ...cur, ...v } : v;
  }
  return parseThresholds(base);
}

export function ctx(t: Thresholds = thresholds()): DetectorContext {
  return makeContext(clocked(t));
}

/** Wednesday 2026-11-25 00:00 JST, in ms. */
export const DAY0 = Date.UTC(2026, 10, 24, 15, 0, 0);
export const H = 3_600_000;
export const MIN = 60_000;

let nextCt = 1;

/** One finished outbound flow; override anything. */
export function flow(over: Partial<FlowRecord> = {}): FlowRecord {
  const start = over.start ?? DAY0;
  return {
    event: 'end', ctId: nextCt++, family: 4, proto: 'tcp', protoNum: 6, direction: 'outbound',
    deviceIp: '192.168.1.10', deviceMac: '02:00:00:00:00:0a', devicePort: 50000,
    remoteIp: '203.0.113.5', remotePort: 443, bytesOut: 1000, bytesIn: 4000, pktsOut: 10, pktsIn: 10,
    start, end: start + 1000, ...over,
  };
}


/** Feed flows sorted by end time; return all findings. */
export function run<T extends { onFlow(f: FlowRecord): unknown[] }>(d: T, flows: FlowRecord[]): ReturnType<T['onFlow']> {
  const out: unknown[] = [];
  for (const f of [...flows].sort((a, b) => a.end - b.end)) out.push(...d.onFlow(f));
  return out as ReturnType<T['onFlow']>;
}

/** Periodic connections every `every` ms (± jitter ms) for `hours` hours. */
export function periodic(o: { every: number; jitter?: number; hours: number; bytes?: number; bytesJitter?: number; seed?: number; over?: Partial<FlowRecord>; from?: number }): FlowRecord[] {
  const r = rng(o.seed ?? 1);
  const out: FlowRecord[] = [];
  const start0 = o.from ?? DAY0;
  for (let t = 0; t < o.hours * H; t += o.every) {
    const at = t + (o.jitter ? (r() * 2 - 1) * o.jitter : 0);
    const b = (o.bytes ?? 600) + Math.round((o.bytesJitter ?? 0) * (r() * 2 - 1));
    out.push(flow({ start: start0 + at, end: start0 + at + 200, bytesOut: Math.round(b / 3), bytesIn: b - Math.round(b / 3), ...o.over }));
  }
  return out;
}
