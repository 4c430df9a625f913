// Health conditions the technician sees and the monitoring centre is told about: a dead
// sensor, a failed ruleset apply, an unreachable collector. Fail loud for monitoring.
import { byCodeUnit } from '../collections/order.js';

export interface Condition {
  id: string;
  ok: boolean;
  since: number;
  detail?: string | undefined;
}

export type ConditionListener = (c: Condition, previous: Condition | undefined) => void;

export class Conditions {
  private readonly map = new Map<string, Condition>();
  private readonly listeners: ConditionListener[] = [];

  constructor(private readonly now: () => number) {}

  onChange(l: ConditionListener): void {
    this.listeners.push(l);
  }

  /** Records a condition; listeners hear only real changes of `ok`, not repeats. */
  set(id: string, ok: boolean, detail?: string): void {
    const prev = this.map.get(id);
    if (prev && prev.ok === ok) {
      prev.detail = detail ?? prev.detail;
      return;
    }
    const c: Condition = { id, ok, since: this.now(), detail };
    this.map.set(id, c);
    for (const l of this.listeners) l(c, prev);
  }

  list(): Condition[] {
    return [...this.map.values()].sort((a, b) => byCodeUnit(a.id, b.id));
  }

  allOk(): boolean {
    return [...this.map.values()].every((c) => c.ok);
  }
}
