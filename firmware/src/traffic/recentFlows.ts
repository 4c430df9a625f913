// The latest flow records the detectors judged, for the technician (`utmctl flows`): "does the
// box see this PC's traffic, with which addresses, ports and bytes?" answered from what the
// sensors really delivered (ulogd2 NFCT ends, conntrack listings), oriented to the office
// device and named from the DNS answers the box saw. Bounded: the oldest go first. Pure.
import type { FlowRecord } from '../flows/parse.js';

/** One judged flow as `utmctl flows` shows it. */
export interface RecentFlow extends FlowRecord {
  /** The name the DNS sensor gave the remote address when the flow was judged, if any. */
  remoteName?: string | undefined;
}

export class RecentFlows {
  private readonly ring: RecentFlow[] = [];
  private next = 0;
  /** Flows judged since start (the ring holds the last `cap` of them). */
  seen = 0;

  /** `cap`: how many flows are kept (≥ 1; throws RangeError otherwise). */
  constructor(private readonly cap = 200) {
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`recent flows cap must be a positive integer: ${cap}`);
  }

  /** Keeps a copy of one judged flow. */
  push(flow: FlowRecord, remoteName?: string): void {
    const entry: RecentFlow = remoteName === undefined ? { ...flow } : { ...flow, remoteName };
    if (this.ring.length < this.cap) this.ring.push(entry);
    else this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.cap;
    this.seen++;
  }

  /** Newest first, at most `limit`, only the device `deviceIp` when given (canonical text). */
  list(limit: number, deviceIp?: string): RecentFlow[] {
    const out: RecentFlow[] = [];
    const n = this.ring.length;
    for (let i = 1; i <= n && out.length < limit; i++) {
      const f = this.ring[(this.next - i + n) % n];
      if (f && (deviceIp === undefined || f.deviceIp === deviceIp)) out.push(f);
    }
    return out;
  }
}
