// Bounded tables: a daily cron job (time/cronSchedule.ts; and one run at start) deletes what has aged out.
// Unsent outbox messages are never deleted: an alert is not lost while the collector is down.
import type { AlertsRepo } from '../alerts/alertsRepo.js';
import type { IncidentsRepo } from '../alerts/incidentsRepo.js';
import type { MutesRepo } from '../alerts/mutesRepo.js';
import type { OutboxRepo } from '../upstream/outboxRepo.js';
import type { Logger } from './log.js';
import { scheduleCron } from '../time/cronSchedule.js';

const DAY = 86_400_000;

export interface RetentionPolicy {
  alertsDays: number;
  sentOutboxDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { alertsDays: 90, sentOutboxDays: 7 };

export interface RetentionRepos {
  alerts: AlertsRepo;
  outbox: OutboxRepo;
  incidents: IncidentsRepo;
  mutes: MutesRepo;
}

/** Deletes aged rows; returns the counts (shown in the log). */
export function runRetention(r: RetentionRepos, now: number, p: RetentionPolicy = DEFAULT_RETENTION): Record<string, number> {
  return {
    alerts: r.alerts.prune(now - p.alertsDays * DAY),
    incidents: r.incidents.prune(now - p.alertsDays * DAY),
    outboxSent: r.outbox.prune(now - p.sentOutboxDays * DAY),
    mutesExpired: r.mutes.prune(),
  };
}

/** Days of alerts kept while the state dir is low on space (instead of alertsDays). */
export const LOW_SPACE_ALERT_DAYS = 7;

/**
 * Frees space when the state dir runs low: every sent outbox row, alerts and incidents older
 * than LOW_SPACE_ALERT_DAYS, expired mutes, then the WAL truncated. Unsent messages are never
 * touched. Throws on database errors (the caller counts them).
 */
export function pruneForSpace(r: RetentionRepos, now: number, checkpoint: () => void): Record<string, number> {
  const n = runRetention(r, now, { alertsDays: LOW_SPACE_ALERT_DAYS, sentOutboxDays: 0 });
  checkpoint();
  return n;
}

/** Runs retention now and every day at 03:17 (box time); stop() cancels the schedule. */
export function scheduleRetention(r: RetentionRepos, now: () => number, log: Logger): { stop(): void } {
  const once = (): void => {
    try {
      const n = runRetention(r, now());
      if (Object.values(n).some((x) => x > 0)) log.info('retention', n);
    } catch (e) {
      log.error('retention failed', e);
    }
  };
  once();
  const task = scheduleCron('17 3 * * *', once);
  return { stop: () => task.stop() };
}
