// The latest flow records the detectors judged, for the technician (`utmctl flows`): "does the
// box see this PC's traffic, with which addresses, ports and bytes?" answered from what the
// sensors really delivered (ulogd2 NFCT ends, conntrack listings), oriented to the office
// device and named from the DNS answers the box saw. Bounded: the oldest go first. Pure.
// On the per-flow path: push() keeps references in two fixed arrays (no copy, no allocation);
// the records are the ingest's own, which nothing changes after they are judged.
import type { FlowRecord } from '../flows/parse.js';

/** One judged flow as `utmctl flows` shows it. */
export interface RecentFlow extends FlowRecord {
  /** The name the DNS sensor gave the remote address when the flow was judged, if any. */
  remoteName?: string | undefined;
}

export class RecentFlows {
  private readonly flows: FlowRecord[] = [];
  private readonly names: Array<string | undefined> = [];
  private next = 0;
  /** Flows judged since start (the ring holds the last `cap` of them). */
  seen = 0;

  /** `cap`: how many flows are kept (≥ 1; throws RangeError otherwise). */
  constructor(private readonly cap = 200) {
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`recent flows cap must be a positive integer: ${cap}`);
  }

  /** Keeps one judged flow (by reference) and the remote's name then. */
  push(flow: FlowRecord, remoteName?: string): void {
    this.flows[this.next] = flow;
    this.names[this.next] = remoteName;
    this.next = this.next + 1 === this.cap ? 0 : this.next + 1;
    this.seen++;
  }

  /** Newest first, at most `limit`, only the device `deviceIp` when given (canonical text). */
  list(limit: number, deviceIp?: string): RecentFlow[] {
    const out: RecentFlow[] = [];
    const n = this.flows.length;
    for (let i = 1; i <= n && out.length < limit; i++) {
      const k = (this.next - i + n) % n;
      const f = this.flows[k];
      if (f === undefined || (deviceIp !== undefined && f.deviceIp !== deviceIp)) continue;
      const name = this.names[k];
      out.push(name === undefined ? { ...f } : { ...f, remoteName: name });
    }
    return out;
  }
}
