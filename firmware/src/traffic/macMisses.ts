// A flow whose office device has no MAC yet (a device that appeared after the last read of
// the neighbour table, or a cold start) is held until the tables are read once more, then
// judged with the MAC when the box now knows it. One read serves every waiting flow; an
// address that stayed unknown after a read is not held again for a while, and the queue is
// bounded, so an unknowable device never slows judging down.
import type { FlowRecord } from '../flows/parse.js';

export interface MacMissesOptions {
  /** Reads the tables again (never rejects). */
  reread: () => Promise<void>;
  macOf: (ip: string) => string | undefined;
  judge: (flow: FlowRecord) => void;
  /** Held flows at most (default 10 000); beyond, flows are judged at once. */
  maxHeld?: number | undefined;
  /** An address still unknown after a read is judged at once for this long (default 60 s). */
  unknownForMs?: number | undefined;
  clock?: (() => number) | undefined;
}

export class MacMisses {
  private held: FlowRecord[] = [];
  private reading: Promise<void> | null = null;
  private readonly unknown = new Map<string, number>();
  readonly counts = { held: 0, filled: 0, unknown: 0, overflow: 0, rereads: 0 };

  constructor(private readonly o: MacMissesOptions) {}

  /** Takes the flow to judge later (true), or leaves it to judge now (false). */
  hold(flow: FlowRecord): boolean {
    const now = (this.o.clock ?? Date.now)();
    const until = this.unknown.get(flow.deviceIp);
    if (until !== undefined && until > now) return false;
    if (this.held.length >= (this.o.maxHeld ?? 10_000)) {
      this.counts.overflow++;
      return false;
    }
    this.held.push(flow);
    this.counts.held++;
    this.reading ??= this.rereadAndJudge();
    return true;
  }

  /** Judges every held flow now, with whatever is known (on stop). */
  flush(): void {
    const list = this.held;
    this.held = [];
    for (const f of list) this.judgeOne(f, 0);
  }

  private async rereadAndJudge(): Promise<void> {
    this.counts.rereads++;
    await this.o.reread();
    this.reading = null;
    const now = (this.o.clock ?? Date.now)();
    const list = this.held;
    this.held = [];
    for (const f of list) this.judgeOne(f, now + (this.o.unknownForMs ?? 60_000));
  }

  private judgeOne(f: FlowRecord, unknownUntil: number): void {
    const mac = this.o.macOf(f.deviceIp);
    if (mac !== undefined) {
      f.deviceMac = mac;
      this.counts.filled++;
    } else {
      this.counts.unknown++;
      if (unknownUntil) this.unknown.set(f.deviceIp, unknownUntil);
      if (this.unknown.size > 10_000) this.unknown.clear();
    }
    this.o.judge(f);
  }
}
