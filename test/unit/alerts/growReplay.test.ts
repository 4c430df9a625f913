// Replays of findings that grow, through the real detectors, alert pipeline, message catalog and
// upstream message builder: the stored alert, the page's words (both languages) and the upstream
// message must say the current figures at every step, never the first sighting's.
import test from 'ava';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { AlertsRepo } from '../../../firmware/src/alerts/alertsRepo.js';
import { OutboxRepo } from '../../../firmware/src/upstream/outboxRepo.js';
import { IncidentsRepo } from '../../../firmware/src/alerts/incidentsRepo.js';
import { OutboxSink } from '../../../firmware/src/upstream/sink.js';
import { AlertPipeline } from '../../../firmware/src/alerts/pipeline.js';
import { DetectorSet } from '../../../firmware/src/detectors/index.js';
import { cooldownMsFor } from '../../../firmware/src/config/schema.js';
import { alertUpstream } from '../../../firmware/src/app/alertUpstream.js';
import { withDeviceNames, type NameDevice } from '../../../firmware/src/alerts/naming.js';
import type { Alert } from '../../../firmware/src/alerts/types.js';
import type { FlowRecord } from '../../../firmware/src/flows/parse.js';
import { staffText } from '../../../webui/src/i18n/staffText.js';
import type { Lang } from '../../../webui/src/i18n/types.js';
import { DAY0, H, MIN, flow, thresholds } from '../detectors/helpers.js';

const DEVICE = { deviceIp: '192.168.1.23', deviceMac: '00:1b:21:00:00:23' };
const names: NameDevice = (d) => (d.mac === DEVICE.deviceMac ? { label: null, hostname: 'KEIRI-XP', vendor: 'Intel Corporate', type: 'pc' } : undefined);
const text = staffText(null);

function office() {
  const db = openDb(':memory:', everyMigration);
  const alerts = new AlertsRepo(db);
  const outbox = new OutboxRepo(db);
  const incidents = new IncidentsRepo(db);
  let now = DAY0;
  const sink = new OutboxSink({ outbox, deviceId: 'box', now: () => now, maxMessages: 10_000, maxBytes: 1 << 24 });
  const pipeline = new AlertPipeline({
    db, alerts, upstream: sink, incidents, now: () => now, incidentWindowMs: 6 * H, suppressWindowMs: 24 * H,
    cooldownMs: cooldownMsFor({ cooldownSeconds: 3600, cooldownByKind: {} }),
    toUpstream: (a, i) => alertUpstream(a, i, (x) => text.explain(x, 'ja'), names),
  });
  const detectors = new DetectorSet({ thresholds: thresholds(), listed: () => undefined });
  const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
  const sent = (): string[] => outbox.waitingAfter(0, 10_000).map((m) => m.payload.subarray(m.payload.indexOf(BOM) + 3).toString());
  const raw = (): string[] => outbox.waitingAfter(0, 10_000).map((m) => m.payload.toString());
  return {
    alerts, sent, raw, pipeline,
    replay(flows: FlowRecord[]): void {
      for (const f of [...flows].sort((a, b) => a.end - b.end)) {
        now = Math.max(now, f.end);
        for (const finding of detectors.onFlow(f)) pipeline.ingest(finding);
      }
    },
    wait(ms: number): void { now += ms; },
    only(kind: string): Alert {
      const list = alerts.recent(100).filter((a) => a.kind === kind);
      if (list.length !== 1) throw new Error(`expected one ${kind} alert, found ${list.length}`);
      return list[0]!;
    },
  };
}

/** The page's words for an alert (what the page and utmctl show), device named. */
const said = (a: Alert, lang: Lang): string => {
  const t = text.explain(withDeviceNames(a, names), lang);
  return `${t.title} ${t.what}`;
};

const smtp = (i: number, at: number): FlowRecord =>
  flow({ ...DEVICE, remotePort: 25, remoteIp: `198.51.100.${i}`, start: at, end: at + 2000, bytesOut: 3000, bytesIn: 400 });

test('mail to 1, then 5, then 30 servers: one alert whose figures grow on the page and upstream', (t) => {
  const o = office();
  // Step 1: one server, straight to port 25.
  o.replay([smtp(1, DAY0 + MIN)]);
  let a = o.only('mail_abuse');
  t.is(a.params['servers'], 1);
  t.is(a.severity, 'warning');
  t.regex(said(a, 'ja'), /10分間に1か所/);
  t.regex(said(a, 'en'), /1 server in 10 minutes/);
  t.regex(said(a, 'ja'), /「KEIRI-XP」と名乗るパソコン（192\.168\.1\.23）/);
  t.is(o.sent().length, 1);
  t.regex(o.sent().at(-1)!, /10分間に1か所/);

  // Step 2: four more servers within two minutes: a burst of 5 (danger, the incident escalates).
  o.replay([2, 3, 4, 5].map((i) => smtp(i, DAY0 + 2 * MIN + i * 1000)));
  a = o.only('mail_abuse');
  t.is(a.params['servers'], 5);
  t.is(a.severity, 'danger');
  t.like(a.evidence, { pattern: 'burst', distinctServers: 5, attemptsSeen: 5 });
  t.regex(said(a, 'ja'), /10分間に5か所/);
  t.regex(said(a, 'en'), /5 servers in 10 minutes/);
  t.regex(o.sent().at(-1)!, /10分間に5か所/);

  // Step 3: 25 more servers: 30 in all.
  o.replay(Array.from({ length: 25 }, (_, k) => smtp(6 + k, DAY0 + 4 * MIN + k * 1000)));
  a = o.only('mail_abuse');
  t.is(a.params['servers'], 30);
  t.like(a.evidence, { distinctServers: 30, attemptsSeen: 30 });
  t.regex(said(a, 'ja'), /10分間に30か所/);
  t.regex(said(a, 'en'), /30 servers in 10 minutes/);
  t.notRegex(said(a, 'ja'), /10分間に(1|5)か所/);
  // Upstream is not flooded while it grows (one message per new server would be 25 more)…
  const before = o.sent().length;
  t.is(before, 2, 'opened, then escalated');
  t.regex(o.sent().at(-1)!, /10分間に5か所/);
  // …and, once the burst has been quiet for ten minutes, hears its final figure.
  t.is(o.pipeline.tellSettled(10 * MIN), 0, 'not before it has been quiet');
  o.wait(10 * MIN);
  t.is(o.pipeline.tellSettled(10 * MIN), 1);
  t.is(o.sent().length, before + 1);
  t.regex(o.sent().at(-1)!, /10分間に30か所/);
  t.regex(o.raw().at(-1)!, /deviceIp="192\.168\.1\.23"/);
  t.regex(o.raw().at(-1)!, /deviceHostname="KEIRI-XP"/);
  t.is(o.pipeline.tellSettled(10 * MIN), 0, 'told once');
  t.is(o.alerts.count(), 1);
});

test('a beacon that settles: its interval and count follow the pair, in both languages', (t) => {
  const o = office();
  const beacon = (from: number, to: number, every: number, jitter: number, seed: number): FlowRecord[] => {
    const out: FlowRecord[] = [];
    let x = seed;
    for (let at = from; at < to; at += every) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const j = Math.round(((x / 2147483648) * 2 - 1) * jitter);
      out.push(flow({ ...DEVICE, remoteIp: '203.0.113.77', start: at + j, end: at + j + 300, bytesOut: 400, bytesIn: 1200 }));
    }
    return out;
  };
  // Every ~27 minutes for 14 hours (enough to be scored), then the implant settles on exactly 27 minutes.
  o.replay(beacon(DAY0, DAY0 + 14 * H, 27 * MIN, 20_000, 7));
  let a = o.only('beacon');
  const first = a.params['connections'];
  t.is(typeof first, 'number');
  t.regex(said(a, 'ja'), /約27分ごと、これまでに\d+回/);
  t.regex(said(a, 'en'), /about every 27 minutes, \d+ times so far/);
  t.notRegex(said(a, 'ja'), /秒ごと/);
  t.notRegex(said(a, 'en'), /seconds|hours\b/);
  o.replay(beacon(DAY0 + 14 * H, DAY0 + 24 * H, 27 * MIN, 0, 9));
  a = o.only('beacon');
  t.true((a.params['connections'] as number) > (first as number), `connections grew from ${String(first)} to ${String(a.params['connections'])}`);
  t.regex(said(a, 'ja'), new RegExp(`約27分ごと、これまでに${String(a.params['connections'])}回`));
  t.regex(said(a, 'en'), new RegExp(`about every 27 minutes, ${String(a.params['connections'])} times so far`));
  t.is(a.evidence['connections'], a.params['connections']);
  t.is(o.alerts.count(), 1);
  o.wait(10 * MIN);
  o.pipeline.tellSettled(10 * MIN);
  t.regex(o.sent().at(-1)!, new RegExp(`これまでに${String(a.params['connections'])}回`));
});

test('an upload that keeps going: the alert adds the bytes up and says them in GB', (t) => {
  const o = office();
  // Off-hours (Wednesday 02:00 JST): one big single flow, then the same hour doubles it.
  const at = DAY0 + 2 * H;
  o.replay([flow({ ...DEVICE, remoteIp: '198.51.100.200', remotePort: 443, start: at, end: at + 20 * MIN, bytesOut: 1_100_000_000, bytesIn: 2_000_000 })]);
  let a = o.only('upload');
  t.regex(said(a, 'ja'), /約1\.1 GBのデータ/);
  t.regex(said(a, 'en'), /about 1\.1 GB/);
  o.replay([flow({ ...DEVICE, remoteIp: '198.51.100.200', remotePort: 443, start: at + 21 * MIN, end: at + 40 * MIN, bytesOut: 1_100_000_000, bytesIn: 2_000_000 })]);
  a = o.only('upload');
  t.is(a.params['bytes'], 2_200_000_000);
  t.regex(said(a, 'ja'), /約2\.2 GBのデータ/);
  t.regex(said(a, 'en'), /about 2\.2 GB/);
});

test('a finding that never goes quiet is still told its figures within the hour; small growth is not told', (t) => {
  const o = office();
  const burst = (from: number, n: number, at: number) => Array.from({ length: n }, (_, k) => smtp(from + k, at + k * 1000));
  // A slow spam run: 5 new servers every 9 minutes (never ten quiet minutes), for two hours.
  let next = 1;
  const told: string[] = [];
  for (let step = 0; step < 14; step++) {
    o.replay(burst(next, 5, DAY0 + step * 9 * MIN));
    next += 5;
    if (o.pipeline.tellSettled(10 * MIN) > 0) told.push(o.sent().at(-1)!);
  }
  t.true(told.length >= 1, 'told while still growing');
  t.true(told.length <= 3, `not at every step: ${told.length}`);
  const a = o.only('mail_abuse');
  // The window is 10 minutes: at most 10 servers in any window here, and the alert says so.
  t.is(a.params['servers'], 10);
  t.regex(said(a, 'ja'), /10分間に10か所/);
});
