// Pure: pairs each condition's failure with its recovery so the monitoring centre hears one
// failure and one recovery per episode, and can open and close one ticket. A condition that
// recovers is reported only once it has stayed good for `settleMs`; going bad again within that
// time continues the same episode (a flapping sensor is one story, not twenty tickets).

/** An episode that started with a failure and has not been reported as recovered. */
export interface OpenEpisode {
  id: string;
  failedAt: number;
  detail: string;
  /** When it last turned good; null while it is still bad. */
  goodSince: number | null;
}

export interface ConditionEvent {
  type: 'failure' | 'recovery';
  /** Condition id, e.g. `sensor:ulogd`, `feed:spamhaus_drop`, `upstream`. */
  id: string;
  /** When the failure started (both events carry it, so the centre can pair them). */
  failedAt: number;
  /** When this event happened: the failure time, or when the condition turned good for good. */
  at: number;
  detail: string;
}

export class ConditionEpisodes {
  private readonly open = new Map<string, OpenEpisode>();

  constructor(private readonly settleMs: number, restored: readonly OpenEpisode[] = []) {
    for (const e of restored) this.open.set(e.id, { ...e });
  }

  /** A condition changed (or was first seen). Returns the events to send now. */
  change(c: { id: string; ok: boolean; since: number; detail?: string | undefined }): ConditionEvent[] {
    const ep = this.open.get(c.id);
    if (!c.ok) {
      if (ep) {
        ep.goodSince = null; // flapped back within the settle time: the same episode goes on
        return [];
      }
      const detail = c.detail ?? '';
      this.open.set(c.id, { id: c.id, failedAt: c.since, detail, goodSince: null });
      return [{ type: 'failure', id: c.id, failedAt: c.since, at: c.since, detail }];
    }
    if (ep && ep.goodSince === null) ep.goodSince = c.since;
    return [];
  }

  /** Recoveries whose settle time has passed by `now`. */
  due(now: number): ConditionEvent[] {
    const out: ConditionEvent[] = [];
    for (const ep of [...this.open.values()]) {
      if (ep.goodSince === null || now - ep.goodSince < this.settleMs) continue;
      this.open.delete(ep.id);
      out.push({ type: 'recovery', id: ep.id, failedAt: ep.failedAt, at: ep.goodSince, detail: ep.detail });
    }
    return out;
  }

  /** When the next recovery falls due, or null when none is pending. */
  nextDue(): number | null {
    let next: number | null = null;
    for (const ep of this.open.values()) {
      if (ep.goodSince !== null && (next === null || ep.goodSince + this.settleMs < next)) next = ep.goodSince + this.settleMs;
    }
    return next;
  }

  /** Episodes not yet closed (persisted, so a restart neither repeats a failure nor forgets a recovery). */
  list(): OpenEpisode[] {
    return [...this.open.values()].map((e) => ({ ...e }));
  }
}
