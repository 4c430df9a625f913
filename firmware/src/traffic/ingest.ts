// From a typed sensor flow event to a FlowRecord the detectors can use: orient it (a flow with
// no office side is counted and dropped), drop ulogd2's own loopback datagrams, fill the device MAC
// from the neighbour table, and stamp open flows (new/update) with their receive time as end.
import type { FlowEvent } from '../sensors/events.js';
import { orientFlow, type FlowRecord, type ParseErrorReason } from '../flows/parse.js';

export interface FlowIngestDeps {
  /** True for office addresses (the plan's LAN prefixes). */
  isLan: (ip: string) => boolean;
  /** MAC of a LAN address from the neighbour table, if known. */
  macOf: (ip: string) => string | undefined;
  now: () => number;
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

export class FlowIngest {
  readonly counts = { flows: 0, loopback: 0, macFilled: 0, malformed: {} as Partial<Record<ParseErrorReason, number>> };

  constructor(private readonly d: FlowIngestDeps) {}

  /** One typed flow (sensors or the conntrack poller) → a record, or undefined when it is dropped. Never throws. */
  toRecord(ev: FlowEvent): FlowRecord | undefined {
    if (LOOPBACK.test(ev.src) && LOOPBACK.test(ev.dst)) {
      this.counts.loopback++;
      return undefined;
    }
    const r = orientFlow(ev, this.d.isLan);
    if (!r.ok) {
      // A flow with no office side (e.g. the box's own traffic) is normal, not malformed.
      this.counts.malformed[r.reason] = (this.counts.malformed[r.reason] ?? 0) + 1;
      return undefined;
    }
    const flow = r.flow;
    if (flow.deviceMac === undefined) {
      const mac = this.d.macOf(flow.deviceIp);
      if (mac !== undefined) {
        flow.deviceMac = mac;
        this.counts.macFilled++;
      }
    }
    if (flow.event !== 'end') flow.end = Math.max(flow.start, this.d.now());
    this.counts.flows++;
    return flow;
  }
}
