// Real labelled traffic (test/fixtures/traffic/, see SOURCES.md) as the box's flow records:
// Zeek conn.log lines turned into FlowRecords oriented to one office device (direction and
// bytes are always that device's), replayed through the real detectors and alert pipeline.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { FlowRecord, Proto } from '../../../firmware/src/flows/parse.js';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { AlertsRepo } from '../../../firmware/src/alerts/alertsRepo.js';
import { IncidentsRepo } from '../../../firmware/src/alerts/incidentsRepo.js';
import { OutboxRepo } from '../../../firmware/src/upstream/outboxRepo.js';
import { OutboxSink } from '../../../firmware/src/upstream/sink.js';
import { AlertPipeline } from '../../../firmware/src/alerts/pipeline.js';
import { DetectorSet } from '../../../firmware/src/detectors/index.js';
import { cooldownMsFor } from '../../../firmware/src/config/schema.js';
import type { Alert } from '../../../firmware/src/alerts/types.js';
import { CidrSet } from '../../../firmware/src/net/cidrSet.js';
import { thresholds } from './helpers.js';
import { loadServiceNetworks } from '../../../firmware/src/detectors/serviceNetworksFile.js';
import type { Thresholds } from '../../../firmware/src/detectors/thresholds.js';

/** The shipped operator networks (rules/service-networks.json). */
export const OPERATOR_OF = loadServiceNetworks(new URL('../../../rules/service-networks.json', import.meta.url).pathname);

export interface LabelledFlow { flow: FlowRecord; label: string; detail: string }

const PRIVATE = new CidrSet(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', 'fe80::/10']);
const num = (v: string | undefined): number => (v === undefined || v === '-' || v === '' ? 0 : Number(v));
const protoOf = (p: string): Proto => (p === 'tcp' || p === 'udp' || p === 'icmp' ? p : 'other');
const PROTO_NUM: Record<Proto, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, other: 0 };

/** Reads a gzipped Zeek conn.log and keeps the flows of `device`, oriented to it. */
export function readConnLog(file: string, device: string, mac = '02:00:00:00:01:67'): LabelledFlow[] {
  const text = gunzipSync(readFileSync(new URL(`../../fixtures/traffic/${file}`, import.meta.url))).toString('utf8');
  let fields: string[] = [];
  const out: LabelledFlow[] = [];
  let ct = 1;
  for (const line of text.split('\n')) {
    if (line.startsWith('#fields')) { fields = line.split('\t').slice(1); continue; }
    if (line === '' || line.startsWith('#')) continue;
    const r: Record<string, string> = {};
    if (line.startsWith('{')) {
      // Zeek's JSON writer (one object per line).
      for (const [k, x] of Object.entries(JSON.parse(line) as Record<string, unknown>)) r[k] = typeof x === 'string' || typeof x === 'number' ? String(x) : '';
    } else {
      const v = line.split('\t');
      fields.forEach((f, i) => { r[f] = v[i] ?? ''; });
    }
    const orig = r['id.orig_h']!, resp = r['id.resp_h']!;
    const outbound = orig === device;
    if (!outbound && resp !== device) continue;
    const proto = protoOf(r['proto'] ?? '');
    const start = Math.round(Number(r['ts']) * 1000);
    const end = start + Math.round(num(r['duration']) * 1000);
    const remoteIp = outbound ? resp : orig;
    const [oBytes, rBytes, oPkts, rPkts] = [num(r['orig_bytes']), num(r['resp_bytes']), num(r['orig_pkts']), num(r['resp_pkts'])];
    const flow: FlowRecord = {
      event: 'end', ctId: ct++, family: device.includes(':') ? 6 : 4, proto, protoNum: PROTO_NUM[proto],
      direction: PRIVATE.has(remoteIp) ? 'lan' : outbound ? 'outbound' : 'inbound',
      deviceIp: device, deviceMac: mac,
      devicePort: proto === 'icmp' ? undefined : num(outbound ? r['id.orig_p'] : r['id.resp_p']),
      remoteIp, remotePort: proto === 'icmp' ? undefined : num(outbound ? r['id.resp_p'] : r['id.orig_p']),
      bytesOut: outbound ? oBytes : rBytes, bytesIn: outbound ? rBytes : oBytes,
      pktsOut: outbound ? oPkts : rPkts, pktsIn: outbound ? rPkts : oPkts,
      start, end,
    };
    out.push({ flow, label: r['label'] ?? '', detail: r['detailedlabel'] ?? '' });
  }
  return out;
}

/** Reads a gzipped "address<TAB>name" list (the TLS server names a device asked for). */
export function readNames(file: string): Map<string, string> {
  const text = gunzipSync(readFileSync(new URL(`../../fixtures/traffic/${file}`, import.meta.url))).toString('utf8');
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [ip, name] = line.split('\t');
    if (ip && name) m.set(ip, name);
  }
  return m;
}

/** Moves flows in time so that the first starts at `at` (several PCs' days as one office day). */
export function shiftTo(flows: readonly LabelledFlow[], at: number): LabelledFlow[] {
  const t0 = Math.min(...flows.map((f) => f.flow.start));
  return flows.map((f) => ({ ...f, flow: { ...f.flow, start: f.flow.start - t0 + at, end: f.flow.end - t0 + at } }));
}

const POLL_MS = 60_000; // traffic.conntrackPollSeconds' default
const POLL_MIN_AGE_MS = 0.9 * 3_600_000; // the poller hands on flows from 0.9 × longConnection.minHours

/** What the box sees of the flows: each flow's end (the flow sensor), and, for a flow open longer
 *  than the conntrack poller's minimum age, an `update` at every poll from then on with its
 *  counters so far (taken pro rata: the captures only have the totals). */
export function asSeen(flows: readonly FlowRecord[]): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (const f of flows) {
    const age = f.end - f.start;
    for (let at = f.start + POLL_MIN_AGE_MS; at < f.end; at += POLL_MS) {
      const k = (at - f.start) / age;
      out.push({
        ...f, event: 'update', end: at,
        bytesOut: Math.round(f.bytesOut * k), bytesIn: Math.round(f.bytesIn * k), pktsOut: Math.round(f.pktsOut * k), pktsIn: Math.round(f.pktsIn * k),
      });
    }
    out.push(f);
  }
  return out.sort((a, b) => a.end - b.end);
}

/** Replays flows as the box sees them (asSeen) through the shipped detectors and the alert pipeline; the alerts stored.
 *  `opts` replaces the shipped thresholds or operator networks (to measure what a rule changes). */
export function replay(flows: readonly FlowRecord[], nameOf?: (ip: string) => string | undefined,
  opts: { thresholds?: Thresholds; operatorOf?: ((ip: string) => string | undefined) | null } = {}): { alerts: Alert[]; findings: number } {
  const db = openDb(':memory:', everyMigration);
  const alerts = new AlertsRepo(db);
  let now = 0;
  const pipeline = new AlertPipeline({
    db, alerts, incidents: new IncidentsRepo(db), now: () => now, incidentWindowMs: 6 * 3_600_000, suppressWindowMs: 24 * 3_600_000,
    upstream: new OutboxSink({ outbox: new OutboxRepo(db), deviceId: 'box', now: () => now, maxMessages: 100_000, maxBytes: 1 << 26 }),
    cooldownMs: cooldownMsFor({ cooldownSeconds: 3600, cooldownByKind: {} }),
    toUpstream: (a) => ({ class: 'alert' as const, msgId: a.kind, severity: 4, timestamp: a.lastSeen, sd: [], text: a.kind, alertId: a.id }),
  });
  const detectors = new DetectorSet({
    thresholds: opts.thresholds ?? thresholds(), listed: () => undefined, nameOf,
    operatorOf: opts.operatorOf === null ? undefined : (opts.operatorOf ?? OPERATOR_OF),
  });
  let findings = 0;
  for (const f of asSeen(flows)) {
    now = Math.max(now, f.end);
    for (const finding of detectors.onFlow(f)) { findings++; pipeline.ingest(finding); }
  }
  return { alerts: alerts.recent(10_000), findings };
}
