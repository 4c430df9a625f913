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
import { EVERY_15_S, RetriedStart } from '../sensors/retriedStart.js';

export interface SensingDeps {
  stateDir: string;
  nflogGroup: number;
  now: () => number;
  conditions: Conditions;
  log: Logger;
  features: () => Feature[];
  raise: (f: Finding) => void;
}

export class Sensing {
  /** ulogd2 and its listener: a failure to start is `sensor:ulogd` (and so an alert), not
   *  fatal, and they are tried again every 15 s (a full disk, a port taken) until they start. */
  private readonly sensors: RetriedStart<Observation>;
  readonly counts = { packets: 0, flows: 0, errors: 0 };

  constructor(private readonly d: SensingDeps) {
    this.sensors = new RetriedStart<Observation>({
      id: 'sensor:ulogd', conditions: d.conditions, log: d.log, backoff: EVERY_15_S,
      start: () => this.observe(), stop: (obs) => obs.stop(),
    });
  }

  /** Starts the listener and ulogd2, or says why not and tries again later. Never throws. */
  start(): Promise<void> {
    return this.sensors.start();
  }

  /** One start of the listener and ulogd2; leaves nothing running when it fails. */
  private async observe(): Promise<Observation> {
    const { d } = this;
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
    try {
      await obs.start();
      return obs;
    } catch (e) {
      await obs.stop().catch(() => undefined);
      throw e;
    }
  }

  stop(): Promise<void> {
    return this.sensors.stop();
  }

  status(): { counts: Sensing['counts']; observation: ObservationStatus | null } {
    return { counts: { ...this.counts }, observation: this.sensors.current()?.status() ?? null };
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
