// The daemon's sensors: ulogd2 (NFLOG packet logs + NFCT flow ends) through the loopback
// listener, with health and loss turned into conditions, and every event routed to every
// feature (each raises its own findings: a blocklist hit is the blocklist feature's).
import type { Finding } from '../alerts/types.js';
import type { SensorEvent } from '../sensors/events.js';
import { Observation, type ObservationStatus } from '../sensors/observation.js';
import type { Conditions } from './conditions.js';
import type { Feature } from '../feature/contract.js';
import type { Logger } from './log.js';
import { scratchDir } from '../sys/paths.js';

export interface SensingDeps {
  stateDir: string;
  nflogGroup: number;
  now: () => number;
  conditions: Conditions;
  log: Logger;
  features: () => Feature[];
  raise: (f: Finding) => void;
}

/** How long sensors that could not start wait before they are tried again. */
const RETRY_MS = 15_000;

export class Sensing {
  private obs: Observation | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;
  readonly counts = { packets: 0, flows: 0, errors: 0 };

  constructor(private readonly d: SensingDeps) {}

  /** Starts the listener and ulogd2; a failure is a condition (and so an alert), not fatal,
   *  and they are tried again every RETRY_MS (a full disk, a port taken) until they start. */
  async start(): Promise<void> {
    const { d } = this;
    this.retry = null;
    if (this.stopped) return;
    const obs = new Observation({
      stateDir: d.stateDir,
      // ulogd.conf on the unit's tmpfs: a full state dir must not blind the box
      configDir: scratchDir(d.stateDir),
      nflogGroups: [d.nflogGroup],
      nfct: { enabled: true },
      now: d.now,
      setSysctls: false, // app/sysctls.ts sets them per mode
      onEvent: (e) => this.route(e),
      onHealth: (h) => d.conditions.set(`sensor:${h.id}`, h.ok, h.detail),
      onLoss: (l) =>
        d.conditions.set('loss:ulogd', false, `${l.lossMessages} loss message(s) from ulogd2${l.maxBufferReached.NFCT || l.maxBufferReached.NFLOG ? '; netlink buffer at its maximum: events are being lost' : ''}`),
    });
    this.obs = obs;
    try {
      await obs.start();
    } catch (e) {
      d.log.error(`sensors could not start; trying again in ${RETRY_MS / 1000} s`, e);
      d.conditions.set('sensor:ulogd', false, `cannot start: ${(e as Error).message}; trying again in ${RETRY_MS / 1000} s`);
      await obs.stop().catch(() => undefined);
      if (this.obs !== obs || this.stopped) return;
      this.obs = null;
      this.retry = setTimeout(() => void this.start(), RETRY_MS);
      this.retry.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    await this.obs?.stop();
    this.obs = null;
  }

  status(): { counts: Sensing['counts']; observation: ObservationStatus | null } {
    return { counts: { ...this.counts }, observation: this.obs?.status() ?? null };
  }

  /** Routes one event; an exception is counted and logged, never thrown into the listener. */
  route(e: SensorEvent): void {
    try {
      if (e.type === 'packet') {
        this.counts.packets++;
        for (const ft of this.d.features()) ft.onPacket?.(e);
      } else {
        this.counts.flows++;
        for (const ft of this.d.features()) ft.onFlow?.(e);
      }
    } catch (err) {
      this.counts.errors++;
      this.d.log.error('sensor event handling failed', err);
    }
  }
}
