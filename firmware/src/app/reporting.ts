// What utmd tells the monitoring centre on its own, and what it shows about that link: the
// heartbeat, the daily statistics (kept for the monthly report), each condition's failure and
// recovery, and the "nothing confirmed for too long" rule behind the office banner and the
// 'upstream' condition. An adapter: the decisions are the pure modules in upstream/; this class
// owns the timers, reads the store and the clock, and hands messages to an UpstreamSink.
import { createHash } from 'node:crypto';
import { Poller } from '../time/poller.js';
import { readFile } from 'node:fs/promises';
import type { Finding } from '../alerts/types.js';
import type { Config } from '../config/schema.js';
import type { Db } from '../store/db.js';
import type { AlertsRepo } from '../alerts/alertsRepo.js';
import { ReportingRepo } from '../upstream/reportingRepo.js';
import type { UpstreamSink, UpstreamStatus } from '../upstream/contract.js';
import { AvailabilityAccumulator } from '../upstream/availability.js';
import { conditionMessage } from '../upstream/conditionMessage.js';
import { computeDailyStats, localDay, statsMessage, type DailyStats, type DaySpan } from '../upstream/dailyStats.js';
import { ConditionEpisodes, type OpenEpisode } from '../upstream/episodes.js';
import { heartbeatMessage } from '../upstream/heartbeat.js';
import { silenceState, type SilenceState } from '../upstream/silence.js';
import type { Lang, StaffText } from '../text/staffText.js';
import type { Condition, Conditions } from './conditions.js';
import type { Logger } from './log.js';
import { scheduleCron, type CronJob } from '../time/cronSchedule.js';

const DAY = 86_400_000;
/** Prefix of the per-device blocked counters (stats_counters.name). */
export const BLOCKED_DEVICE = 'blocked_device:';
/** Condition messages kept while the store cannot take them (a full disk). */
const MAX_UNSENT = 200;
type ConditionEvents = ReturnType<ConditionEpisodes['due']>;

export interface ReportingDeps {
  db: Db;
  sink: UpstreamSink;
  /** The delivery status; null when no collector is provisioned. */
  status: () => UpstreamStatus | null;
  conditions: Conditions;
  alerts: AlertsRepo;
  config: Config['reporting'];
  now: () => number;
  log: Logger;
  lang: Lang;
  /** The words of heartbeat, statistics and condition messages (the message catalog's). */
  text: Pick<StaffText, 'condition' | 'heartbeat' | 'stats'>;
  startedAt: number;
  /** The last-good ruleset file (the document in force), hashed for the heartbeat. */
  rulesetFile: string;
  /** Enabled feeds and their last successful load. */
  feeds: () => ReadonlyArray<{ id: string; lastSuccessAt: number | null }>;
  /** Devices and the device audit (daily statistics). */
  devices: () => { devices: ReadonlyArray<{ firstSeen: number; lastSeen: number; status: string }>; audit: ReadonlyArray<{ at: number; action: string; mac: string }> };
  /** The box-local calendar day of a moment (default localDay). */
  dayOf?: ((ms: number) => DaySpan) | undefined;
  /** How often the link status is sampled (default 5 s). */
  pollMs?: number | undefined;
  /** Counts a storage error (a full disk: the storage watch says it once) and returns true;
   *  false for any other error, which is logged here. */
  storageFailed?: ((e: unknown, where: string) => boolean) | undefined;
}

/** What `utmctl upstream status` and the technician's page show besides the delivery status. */
export interface UpstreamView {
  status: UpstreamStatus | null;
  silence: SilenceState;
  silenceThresholdS: number;
  /** True when the technician should act: no collector, or nothing confirmed for too long. */
  fault: boolean;
  heartbeat: { intervalS: number; lastAt: number | null; lastSeq: number | null };
  stats: { lastDay: string | null; lastAt: number | null };
  openConditions: OpenEpisode[];
}

export class Reporting {
  readonly repo: ReportingRepo;
  private readonly episodes: ConditionEpisodes;
  private readonly availability: AvailabilityAccumulator;
  private readonly dayOf: (ms: number) => DaySpan;
  private blocked = new Map<string, Map<string, number>>();
  /** Blocked attempts per day and device (counter `blocked_device:<mac>`, for the monthly report;
   *  kept beside the category counters so the two always sum to the same total). */
  private blockedByDevice = new Map<string, Map<string, number>>();
  private timers: NodeJS.Timeout[] = [];
  private pollers: Poller[] = [];
  private settleTimer: NodeJS.Timeout | null = null;
  private task: CronJob | null = null;
  private lastHeartbeat: { at: number; seq: number } | null = null;
  private lastStats: { day: string; at: number } | null = null;
  private started = false;
  private unsent: ConditionEvents = [];
  readonly counts = { heartbeats: 0, stats: 0, failures: 0, recoveries: 0, errors: 0 };

  constructor(private readonly d: ReportingDeps) {
    this.repo = new ReportingRepo(d.db);
    this.dayOf = d.dayOf ?? localDay;
    this.episodes = new ConditionEpisodes(d.config.recoverySettleSeconds * 1000, this.repo.episodes());
    this.availability = new AvailabilityAccumulator(this.dayOf);
    // Listen from the first condition on: a sensor that fails at start is a failure too.
    d.conditions.onChange((c) => this.onCondition(c));
  }

  /** Timers: link sampling, heartbeat (first one soon), settle checks, daily statistics. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const hbMs = this.d.config.heartbeatSeconds * 1000;
    this.every(this.d.pollMs ?? 5000, () => this.sample());
    this.later(Math.min(30_000, hbMs), () => {
      void this.heartbeat();
      this.every(hbMs, () => void this.heartbeat());
    });
    this.every(60_000, () => this.flush());
    const [hh, mm] = this.d.config.statsTime.split(':');
    this.task = scheduleCron(`${Number(mm)} ${Number(hh)} * * *`, () => this.guard('daily statistics', () => this.sendYesterday(false)));
    // utmd was down at statsTime: catch up once for yesterday, if it ran at all that day.
    this.later(60_000, () => this.guard('daily statistics', () => this.sendYesterday(true)));
    this.sample();
    this.armSettle();
  }

  stop(): void {
    this.started = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    for (const p of this.pollers) p.stop();
    this.pollers = [];
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = null;
    this.task?.stop();
    this.task = null;
    this.guard('flush', () => this.flush());
  }

  /** Counts a blocked attempt by feed category (every finding passes here before the pipeline). */
  onFinding(f: Finding): void {
    if (f.kind !== 'blocklist_hit' || f.action !== 'blocked') return;
    const cat = typeof f.params['category'] === 'string' ? f.params['category'] : f.params['list'] === 'manual' ? 'manual' : 'local';
    const day = this.dayOf(f.at).key;
    const m = this.blocked.get(day) ?? new Map<string, number>();
    m.set(cat, (m.get(cat) ?? 0) + Math.max(1, f.count ?? 1));
    this.blocked.set(day, m);
    const dev = f.device?.mac ?? 'none';
    const d = this.blockedByDevice.get(day) ?? new Map<string, number>();
    d.set(dev, (d.get(dev) ?? 0) + Math.max(1, f.count ?? 1));
    this.blockedByDevice.set(day, d);
  }

  /** The upstream state right now (CLI, page). */
  view(): UpstreamView {
    const status = this.d.status();
    const silence = this.silence(status);
    return {
      status, silence, silenceThresholdS: this.d.config.silenceSeconds,
      fault: silence.state !== 'ok',
      heartbeat: { intervalS: this.d.config.heartbeatSeconds, lastAt: this.lastHeartbeat?.at ?? null, lastSeq: this.lastHeartbeat?.seq ?? null },
      stats: { lastDay: this.lastStats?.day ?? null, lastAt: this.lastStats?.at ?? null },
      openConditions: this.episodes.list(),
    };
  }

  silence(status: UpstreamStatus | null = this.d.status()): SilenceState {
    return silenceState(status, this.d.now(), this.d.config.silenceSeconds * 1000);
  }

  /** Builds and queues a heartbeat now; none without a collector (nobody would hear it, and
   *  288 a day would pile up on the box). Returns its sequence number. */
  async heartbeat(): Promise<number | null> {
    try {
      const at = this.d.now();
      const st = this.d.status();
      if (!st) return null;
      const failing = this.d.conditions.list().filter((c) => !c.ok).map((c) => c.id);
      const facts = {
        at, startedAt: this.d.startedAt, rulesetSha256: await this.rulesetHash(), feeds: this.d.feeds(),
        queueDepth: st?.queueDepth ?? null, oldestWaitingAt: st?.oldestWaitingAt ?? null, failing, intervalS: this.d.config.heartbeatSeconds,
      };
      const seq = this.d.sink.enqueue(heartbeatMessage(facts, this.d.text.heartbeat({ uptimeMs: at - this.d.startedAt, queueDepth: facts.queueDepth, failing }, this.d.lang)));
      this.lastHeartbeat = { at, seq };
      this.counts.heartbeats++;
      return seq;
    } catch (e) {
      this.counts.errors++;
      if (!this.d.storageFailed?.(e, 'heartbeat')) this.d.log.error('heartbeat failed', e);
      return null;
    }
  }

  /** Computes, keeps and sends the statistics of `day`. Returns them. */
  statsFor(day: DaySpan): DailyStats {
    this.flush();
    const c = this.repo.counters(day.key);
    const blockedByCategory = Object.fromEntries(Object.entries(c).filter(([k]) => k.startsWith('blocked:')).map(([k, v]) => [k.slice(8), v]));
    const dev = this.d.devices();
    const s = computeDailyStats({
      day, alerts: this.d.alerts.createdBetween(day.start, day.end), blockedByCategory, devices: dev.devices, audit: dev.audit,
      upstream: { upMs: c['upstream:upMs'] ?? 0, observedMs: c['upstream:observedMs'] ?? 0 },
    });
    const at = this.d.now();
    const seq = this.d.sink.enqueue(statsMessage(s, at, this.d.text.stats(s, this.d.lang)));
    this.repo.putStats(s, at, seq);
    this.lastStats = { day: s.day, at };
    this.counts.stats++;
    return s;
  }

  private sendYesterday(catchUp: boolean): void {
    const today = this.dayOf(this.d.now());
    const yesterday = this.dayOf(today.start - 1);
    this.flush();
    const ran = Object.keys(this.repo.counters(yesterday.key)).length > 0;
    if (!this.repo.stats(yesterday.key) && (ran || !catchUp)) this.statsFor(yesterday);
    const keep = (days: number): string => this.dayOf(today.start - days * DAY).key;
    this.repo.prune(keep(40), keep(400));
  }

  private onCondition(c: Condition): void {
    this.guard('condition report', () => {
      const events = this.episodes.change(c);
      this.send(events);
      this.repo.saveEpisodes(this.episodes.list());
      this.armSettle();
    });
  }

  /** Queues condition messages in order, after any the store could not take before. When the
   *  store fails (a full disk: the outbox is in the same database) the rest wait here and go
   *  at the next try, so a failure told during the outage reaches the centre after it. */
  private send(events: ConditionEvents): void {
    const queue = [...this.unsent, ...events];
    this.unsent = [];
    for (const [i, e] of queue.entries()) {
      try {
        this.d.sink.enqueue(conditionMessage(e, this.d.text.condition(e, this.d.lang)));
      } catch (err) {
        this.unsent = queue.slice(i, i + MAX_UNSENT);
        throw err;
      }
      if (e.type === 'failure') this.counts.failures++;
      else this.counts.recoveries++;
    }
  }

  /** One timer for the next recovery that falls due. */
  private armSettle(): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = null;
    const next = this.episodes.nextDue();
    if (next === null || !this.started) return;
    this.settleTimer = setTimeout(() => {
      this.settleTimer = null;
      this.guard('recovery report', () => {
        const due = this.episodes.due(this.d.now());
        if (due.length) {
          this.send(due);
          this.repo.saveEpisodes(this.episodes.list());
        }
        this.armSettle();
      });
    }, Math.max(0, next - this.d.now()) + 10);
    this.settleTimer.unref();
  }

  /** Samples the link: availability time, and the silence rule as the 'upstream' condition. */
  private sample(): void {
    if (this.unsent.length) this.guard('condition report retry', () => this.send([]));
    this.guard('upstream sample', () => {
      const st = this.d.status();
      if (st) {
        if (this.availability.up !== null && st.connected !== this.availability.up && st.connectedSince !== null) {
          this.availability.observe(st.connected, Math.min(this.d.now(), st.connectedSince));
        }
        this.availability.observe(st.connected, this.d.now());
      }
      const s = this.silence(st);
      if (s.state === 'silent') {
        this.d.conditions.set('upstream', false, `nothing confirmed for ${Math.round(s.silentMs / 1000)} s; ${s.waiting} message(s) waiting`);
      } else if (s.state === 'ok') {
        this.d.conditions.set('upstream', true, s.waiting ? `${s.waiting} message(s) waiting` : 'delivered');
      }
    });
  }

  /** Persists the running counters (blocked attempts, link time). */
  private flush(): void {
    const avail = this.availability.take(this.d.now());
    const blocked = this.blocked;
    const byDevice = this.blockedByDevice;
    this.blocked = new Map();
    this.blockedByDevice = new Map();
    if (!avail.size && !blocked.size) return;
    this.d.db.transaction(() => {
      for (const [day, a] of avail) this.repo.addCounters(day, { 'upstream:upMs': a.upMs, 'upstream:observedMs': a.observedMs });
      for (const [day, m] of blocked) this.repo.addCounters(day, Object.fromEntries([...m].map(([k, v]) => [`blocked:${k}`, v])));
      for (const [day, m] of byDevice) this.repo.addCounters(day, Object.fromEntries([...m].map(([k, v]) => [`${BLOCKED_DEVICE}${k}`, v])));
    })();
  }

  private async rulesetHash(): Promise<string | null> {
    try {
      return createHash('sha256').update(await readFile(this.d.rulesetFile)).digest('hex');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.counts.errors++;
      if (!this.d.storageFailed?.(e, what)) this.d.log.error(`${what} failed`, e);
    }
  }

  private every(ms: number, fn: () => void): void {
    const p = new Poller({ everyMs: ms, run: fn });
    p.start();
    this.pollers.push(p);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(fn, ms);
    t.unref();
    this.timers.push(t);
  }
}
