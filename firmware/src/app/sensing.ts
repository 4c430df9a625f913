// The daemon's sensors: ulogd2 (NFLOG packet logs + NFCT flow ends) through the loopback
// listener, with health and loss turned into conditions, and every event routed to every
// feature (each raises its own findings: a blocklist hit is the blocklist feature's).
import type { Finding } from '../alerts/types.js';
import type { SensorEvent } from '../sensors/events.js';
import { Observation, type ObservationStatus } from '../sensors/observation.js';
import type { Conditions } from './conditions.js';
import type { Feature } from '../feature/contract.js';
import type { Logger } from './log.js';

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
  private obs: Observation | null = null;
  readonly counts = { packets: 0, flows: 0, errors: 0 };

  constructor(private readonly d: SensingDeps) {}

  /** Starts the listener and ulogd2; a failure is a condition (and so an alert), not fatal. */
  async start(): Promise<void> {
    const { d } = this;
    const obs = new Observation({
      stateDir: d.stateDir,
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
      d.log.error('sensors could not start', e);
      d.conditions.set('sensor:ulogd', false, `cannot start: ${(e as Error).message}`);
    }
  }

  async stop(): Promise<void> {
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
