// The CTU-50 TLS aggregates (test/fixtures/traffic/ctu50/, see SOURCES.md) as the box's flow
// records. Each row is every TLS flow of one (device, server, port) within one hour: its count,
// mean and spread of duration, bytes and packets. The flows are laid out again inside that hour
// (Layout: evenly, or scattered), bytes and packets shared equally, durations the mean ± the
// spread in turn. The moments within the hour are not in the data: evenly spaced flows make every
// service as periodic as it can have been (the hard case for benign PCs, the easy one for malware),
// scattered ones the reverse; the tests measure both.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { FlowRecord } from '../../../firmware/src/flows/parse.js';
import { CidrSet } from '../../../firmware/src/net/cidrSet.js';

export interface AggRow {
  set: string; day: number; hour: number; flows: number; avgDur: number; sdDur: number;
  bytesOrig: number; bytesResp: number; pktsIn: number; pktsOut: number;
  label: string; detail: string; orig: string; resp: string; port: number; proto: string;
}

const H = 3_600_000;
const PRIVATE = new CidrSet(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);

/** Reads one gzipped aggregate table (header line, tab separated). */
export function readAggregates(file: string): AggRow[] {
  const text = gunzipSync(readFileSync(new URL(`../../fixtures/traffic/${file}`, import.meta.url))).toString('utf8');
  const [head = '', ...lines] = text.split('\n');
  const cols = head.split('\t');
  const out: AggRow[] = [];
  for (const line of lines) {
    if (line === '') continue;
    const v = line.split('\t');
    const r = Object.fromEntries(cols.map((c, i) => [c, v[i] ?? ''])) as Record<string, string>;
    const n = (k: string): number => Number(r[k] ?? 0);
    out.push({
      set: r['set'] ?? '', day: n('day'), hour: n('hour'), flows: n('flows'), avgDur: n('avgDur'), sdDur: n('sdDur'),
      bytesOrig: n('bytesOrig'), bytesResp: n('bytesResp'), pktsIn: n('pktsIn'), pktsOut: n('pktsOut'),
      label: r['label'] ?? '', detail: r['detail'] ?? '', orig: r['orig'] ?? '', resp: r['resp'] ?? '', port: n('port'), proto: r['proto'] ?? '',
    });
  }
  return out;
}

/** A small stable hash (FNV-1a) for the phase of a pair's flows within the hour. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** How a row's flows are laid out in its hour: `even` (evenly spaced, the same phase every hour:
 *  as periodic as they can have been) or `scattered` (each at a fixed pseudo-random moment of the
 *  hour: as irregular as they can have been). The truth lies between. */
export type Layout = 'even' | 'scattered';

/** The anonymised address of the captured device ("147.32.81.x0", "192.168.1.x52"). */
const isCapturedDevice = (ip: string): boolean => /\.x\d+$/.test(ip);

/**
 * Flow records for one row set: `deviceIp`/`deviceMac` stand for the captured device, `hourAt(row)`
 * gives the event time of the row's hour. Rows the device did not open (attacks from the internet)
 * become inbound flows.
 */
export function flowsOf(rows: readonly AggRow[], deviceIp: string, deviceMac: string, hourAt: (r: AggRow) => number, layout: Layout = 'even'): Array<{ flow: FlowRecord; row: AggRow }> {
  const out: Array<{ flow: FlowRecord; row: AggRow }> = [];
  let ct = 1;
  for (const r of rows) {
    const outbound = isCapturedDevice(r.orig);
    const remoteIp = outbound ? r.resp : r.orig;
    if (!outbound && !isCapturedDevice(r.resp)) continue;
    const n = Math.max(1, r.flows);
    const step = H / n;
    const phase = hash(`${deviceIp}|${remoteIp}|${r.port}`) % Math.max(1, Math.floor(step));
    const proto = r.proto === 'udp' ? 'udp' : 'tcp';
    for (let k = 0; k < n; k++) {
      const start = hourAt(r) + (layout === 'even' ? phase + Math.round(k * step) : hash(`${deviceIp}|${remoteIp}|${r.port}|${r.day}|${r.hour}|${k}`) % H);
      const dur = Math.max(0, r.avgDur + (k % 2 === 0 ? r.sdDur : -r.sdDur) * (n > 1 ? 1 : 0)) * 1000;
      const [mine, theirs] = outbound ? [r.bytesOrig, r.bytesResp] : [r.bytesResp, r.bytesOrig];
      const flow: FlowRecord = {
        event: 'end', ctId: ct++, family: 4, proto, protoNum: proto === 'udp' ? 17 : 6,
        direction: PRIVATE.has(remoteIp) ? 'lan' : outbound ? 'outbound' : 'inbound',
        deviceIp, deviceMac, devicePort: outbound ? 49152 + (k % 16000) : r.port, remoteIp, remotePort: outbound ? r.port : 49152 + (k % 16000),
        bytesOut: Math.round(mine / n), bytesIn: Math.round(theirs / n),
        pktsOut: Math.round((outbound ? r.pktsOut : r.pktsIn) / n), pktsIn: Math.round((outbound ? r.pktsIn : r.pktsOut) / n),
        start, end: start + Math.round(dur),
      };
      out.push({ flow, row: r });
    }
  }
  return out;
}
