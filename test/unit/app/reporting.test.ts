// The reporting adapter over an in-memory database and an in-memory sink (a test double of the
// delivery half): what the monitoring centre would receive, message by message.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { AlertsRepo } from '../../../firmware/src/alerts/alertsRepo.js';
import { Conditions } from '../../../firmware/src/app/conditions.js';
import { Reporting, type ReportingDeps } from '../../../firmware/src/app/reporting.js';
import type { UpstreamMessage, UpstreamSink, UpstreamStatus } from '../../../firmware/src/upstream/contract.js';
import type { Logger } from '../../../firmware/src/app/log.js';
import { waitFor } from '../../lab/poll.js';
import { staffText } from '../../../webui/src/i18n/staffText.js';

const text = staffText(null);

class MemorySink implements UpstreamSink {
  readonly messages: UpstreamMessage[] = [];
  enqueue(m: UpstreamMessage): number {
    this.messages.push(m);
    return this.messages.length;
  }
}

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const H = 3_600_000;
const D = 24 * H;
const dayOf = (ms: number) => { const n = Math.floor(ms / D); return { key: `d${n}`, start: n * D, end: (n + 1) * D }; };

function setup(over: Partial<ReportingDeps> = {}, status: Partial<UpstreamStatus> | null = {}) {
  const db = openDb(':memory:', everyMigration);
  const clock = { now: 10 * D + 8 * H };
  const now = () => clock.now;
  const conditions = new Conditions(now);
  const sink = new MemorySink();
  const st: { value: UpstreamStatus | null } = { value: status === null ? null : {
    transport: 'tls', peer: '198.51.100.10:6514', peerCertSha256: null, connected: true, connectedSince: clock.now, lastConfirmedSeq: 1, lastConfirmedAt: clock.now,
    queueDepth: 0, queueBytes: 0, oldestWaitingAt: null, overflowLost: {}, lastError: null, nextSeq: 2, ...status,
  } };
  const alerts = new AlertsRepo(db);
  const r = new Reporting({
    db, sink, status: () => st.value, conditions, alerts, now, log: quiet, lang: 'ja', text, startedAt: clock.now - H,
    config: { heartbeatSeconds: 300, silenceSeconds: 900, recoverySettleSeconds: 60, statsTime: '00:05' },
    rulesetFile: '/nonexistent/last-good.json', feeds: () => [{ id: 'lab-c2', lastSuccessAt: clock.now - 600_000 }],
    devices: () => ({ devices: [{ firstSeen: clock.now - 2 * H, lastSeen: clock.now, status: 'new' }], audit: [] }),
    dayOf, ...over,
  });
  return { db, clock, conditions, sink, st, r, alerts };
}

test('a sensor that dies and comes back: the centre hears one failure naming it, then one recovery', async (t) => {
  const { conditions, sink, r } = setup({ config: { heartbeatSeconds: 300, silenceSeconds: 900, recoverySettleSeconds: 0, statsTime: '00:05' } });
  r.start();
  t.teardown(() => r.stop());
  conditions.set('sensor:ulogd', true, 'running');
  conditions.set('sensor:ulogd', false, 'exited (signal SIGKILL)');
  conditions.set('sensor:ulogd', false, 'restarting');
  const fail = sink.messages.filter((m) => m.class === 'condition');
  t.is(fail.length, 1);
  t.like(fail[0], { msgId: 'condition', severity: 4 });
  t.like(fail[0]!.sd[0]!.params, { id: 'sensor:ulogd', state: 'failed', kind: 'sensor_down', detail: 'exited (signal SIGKILL)' });
  t.true(fail[0]!.text.includes('通信の見張り（ulogd2）'), fail[0]!.text);
  conditions.set('sensor:ulogd', true, 'running');
  await waitFor(() => sink.messages.some((m) => m.msgId === 'recovery'), { what: 'the recovery' });
  const cond = sink.messages.filter((m) => m.class === 'condition');
  t.deepEqual(cond.map((m) => m.msgId), ['condition', 'recovery']);
  t.like(cond[1]!.sd[0]!.params, { id: 'sensor:ulogd', state: 'recovered', failedAt: fail[0]!.sd[0]!.params['failedAt'] });
  t.true(cond[1]!.text.includes('正常に戻りました'));
  t.deepEqual(r.view().openConditions, []);
});

test('an open episode survives a restart: no second failure, and the recovery still goes out', async (t) => {
  const a = setup();
  a.conditions.set('feed:lab-c2', false, 'network; last-good kept');
  t.is(a.sink.messages.length, 1);
  // utmd restarts on the same database
  const sink = new MemorySink();
  const conditions = new Conditions(() => a.clock.now);
  const b = new Reporting({
    db: a.db, sink, status: () => a.st.value, conditions, alerts: a.alerts, now: () => a.clock.now, log: quiet, lang: 'en', text, startedAt: a.clock.now,
    config: { heartbeatSeconds: 300, silenceSeconds: 900, recoverySettleSeconds: 0, statsTime: '00:05' }, rulesetFile: '/nonexistent', feeds: () => [],
    devices: () => ({ devices: [], audit: [] }), dayOf,
  });
  b.start();
  t.teardown(() => b.stop());
  conditions.set('feed:lab-c2', false, 'network; last-good kept');
  t.is(sink.messages.length, 0, 'already told before the restart');
  conditions.set('feed:lab-c2', true, '1200 entries');
  await waitFor(() => sink.messages.length === 1, { what: 'the recovery' });
  t.like(sink.messages[0], { class: 'condition', msgId: 'recovery' });
  t.true(sink.messages[0]!.text.includes('Blocklist feed "lab-c2" is working again'), sink.messages[0]!.text);
});

test('heartbeat: uptime, ruleset hash of the last-good file, feed ages, queue depth, failing conditions', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'utm-hb-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'last-good.json');
  await writeFile(file, '{"nftables":[]}');
  const { sink, r, conditions } = setup({ rulesetFile: file }, { queueDepth: 4, oldestWaitingAt: 10 * D + 8 * H - 30_000 });
  conditions.set('sensor:dnsmasq', false, 'exited');
  const seq = await r.heartbeat();
  const hb = sink.messages.find((m) => m.class === 'heartbeat');
  t.is(seq, sink.messages.length);
  t.like(hb!.sd[0]!.params, {
    uptimeS: 3600, rulesetSha256: createHash('sha256').update('{"nftables":[]}').digest('hex'), feedAgesS: 'lab-c2:600',
    queue: 4, oldestWaitingS: 30, failing: 'sensor:dnsmasq', intervalS: 300,
  });
  t.true(hb!.text.includes('異常: 社内の機器へのアドレス配布（dnsmasq）'));
  t.like(r.view().heartbeat, { lastSeq: seq, intervalS: 300 });
});

test('the silence rule raises and clears the upstream condition, which is told once each', (t) => {
  const { clock, conditions, sink, st, r } = setup();
  r.start();
  t.teardown(() => r.stop());
  t.true(conditions.list().find((c) => c.id === 'upstream')?.ok);
  const t0 = clock.now;
  st.value = { ...st.value!, connected: false, connectedSince: t0, queueDepth: 5, oldestWaitingAt: t0, lastConfirmedAt: t0 - 1000 };
  clock.now = t0 + 14 * 60_000;
  (r as unknown as { sample(): void }).sample();
  t.true(conditions.list().find((c) => c.id === 'upstream')?.ok, 'not yet at 14 minutes');
  t.false(r.view().fault);
  clock.now = t0 + 16 * 60_000;
  (r as unknown as { sample(): void }).sample();
  t.false(conditions.list().find((c) => c.id === 'upstream')?.ok);
  t.true(r.view().fault);
  t.like(r.silence(), { state: 'silent', waiting: 5 });
  (r as unknown as { sample(): void }).sample();
  t.is(sink.messages.filter((m) => m.msgId === 'condition').length, 1);
  t.like(sink.messages[0]!.sd[0]!.params, { id: 'upstream', kind: 'upstream_unreachable' });
});

test('daily statistics: computed from the store and the counters, kept for the monthly report, sent once', (t) => {
  const { clock, sink, r, alerts, st } = setup();
  const day = dayOf(clock.now);
  alerts.insert({ kind: 'blocklist_hit', severity: 'danger', dedupKey: 'a', device: {}, remote: null, direction: null, action: 'blocked', count: 1, firstSeen: clock.now, lastSeen: clock.now, params: {}, evidence: {}, incidentId: null });
  const hit = { kind: 'blocklist_hit', severity: 'danger' as const, dedupKey: 'k', at: clock.now, action: 'blocked' as const, params: { category: 'c2' }, evidence: {} };
  r.onFinding(hit);
  r.onFinding({ ...hit, count: 2 });
  r.onFinding({ ...hit, params: { list: 'manual' } });
  r.onFinding({ ...hit, action: 'watched' }); // not blocked: not counted
  // the link is up 2 h, then down 1 h
  r.start();
  r.stop();
  clock.now += 2 * H;
  st.value = { ...st.value!, connected: false, connectedSince: clock.now };
  r.start();
  clock.now += H;
  r.stop();
  const s = r.statsFor(day);
  t.deepEqual(s.blocked, { total: 4, byCategory: { c2: 3, manual: 1 } });
  t.is(s.alerts.total, 1);
  t.is(s.devices.seen, 1);
  t.is(s.upstream.upMs, 2 * H);
  t.is(s.upstream.observedMs, 3 * H);
  t.deepEqual(r.repo.stats(day.key), s);
  t.deepEqual(r.repo.statsRange('d0', 'd99').map((x) => x.day), [day.key]);
  t.is(sink.messages.filter((m) => m.class === 'stats').length, 1);
});

test('no collector configured: no heartbeats pile up, statistics are still kept', async (t) => {
  const { sink, r, clock } = setup({}, null);
  t.is(await r.heartbeat(), null);
  t.is(sink.messages.length, 0);
  r.statsFor(dayOf(clock.now));
  t.truthy(r.repo.stats(dayOf(clock.now).key));
  t.like(r.view(), { fault: true, silence: { state: 'none' }, status: null });
});

test('a condition told while the store refuses writes (full disk) reaches the centre once writes work again, in order', async (t) => {
  const { conditions, sink, r } = setup({ config: { heartbeatSeconds: 300, silenceSeconds: 900, recoverySettleSeconds: 0, statsTime: '00:05' } });
  const full = { on: false };
  const enqueue = sink.enqueue.bind(sink);
  sink.enqueue = (m) => {
    if (full.on) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    return enqueue(m);
  };
  r.start();
  t.teardown(() => r.stop());
  conditions.set('storage', true, 'ok');
  full.on = true;
  conditions.set('storage', false, 'SQLITE_FULL');
  t.is(sink.messages.filter((m) => m.class === 'condition').length, 0, 'nothing could be queued while the disk was full');
  full.on = false;
  conditions.set('storage', true, 'writes work again');
  await waitFor(() => sink.messages.filter((m) => m.class === 'condition').length >= 2, { what: 'failure and recovery queued', timeoutMs: 5000 });
  const told = sink.messages.filter((m) => m.class === 'condition').map((m) => m.sd[0]!.params['state']);
  t.deepEqual(told, ['failed', 'recovered'], 'the failure first, then its recovery, once each');
});
