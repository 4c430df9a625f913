// Per-device byte counts from conntrack's own accounting (nf_conntrack_acct=1): no rule in
// the packet path counts anything, so established traffic keeps the fast path. A device's
// total is what its ended connections carried (conntrack DESTROY events via ulogd2, summed
// here and kept in the store) plus what its open connections carry now (the latest
// `conntrack -L`). Pure: flows in, totals out.
import type { FlowRecord } from '../flows/parse.js';
import { byCodeUnit } from '../collections/order.js';

export interface DeviceBytes {
  ip: string;
  txBytes: number;
  rxBytes: number;
  txPackets: number;
  rxPackets: number;
}

type Tot = Omit<DeviceBytes, 'ip'>;
const zero = (): Tot => ({ txBytes: 0, rxBytes: 0, txPackets: 0, rxPackets: 0 });
/** How many listings an ended connection's id is remembered for (a listing that started
 *  before the end event arrived must not count it once more). */
const ENDED_KEEP_LISTINGS = 2;
/** Most ended ids remembered while no listing prunes them (the poll has not run yet, or
 *  `conntrack -L` keeps failing): without a bound they grew by every ended connection (14 MB
 *  after 30 minutes of 5,000 devices, issue 15). Far more than end while one listing is taken
 *  (~250 per second at 5,000 devices; a listing takes seconds). */
export const ENDED_KEEP_MAX = 16_384;

/** Whether a flow counts for a device: office ↔ internet (like the forward path), never the
 *  box's own connections or traffic that stays inside the office. */
export function countsForDevice(f: FlowRecord, boxAddresses: ReadonlySet<string>): boolean {
  return f.direction !== 'lan' && !boxAddresses.has(f.deviceIp) && !boxAddresses.has(f.remoteIp);
}

function add(t: Tot, f: FlowRecord): void {
  t.txBytes += f.bytesOut;
  t.rxBytes += f.bytesIn;
  t.txPackets += f.pktsOut;
  t.rxPackets += f.pktsIn;
}

export class ByteLedger {
  private readonly closed = new Map<string, Tot>();
  /** The latest listing, per connection (key: conntrack id, or the listing position). */
  private live = new Map<number | string, FlowRecord>();
  private readonly endedIds = new Map<number, number>();
  private listings = 0;
  private readonly dirty = new Set<string>();

  /** Totals of ended connections as stored (start-up). */
  restore(rows: readonly DeviceBytes[]): void {
    for (const r of rows) this.closed.set(r.ip, { txBytes: r.txBytes, rxBytes: r.rxBytes, txPackets: r.txPackets, rxPackets: r.rxPackets });
  }

  /** A connection ended (its final counts). */
  ended(f: FlowRecord): void {
    const t = this.closed.get(f.deviceIp) ?? zero();
    add(t, f);
    this.closed.set(f.deviceIp, t);
    this.dirty.add(f.deviceIp);
    if (f.ctId === undefined) return;
    this.endedIds.set(f.ctId, this.listings);
    if (this.endedIds.size > ENDED_KEEP_MAX) {
      // the oldest half goes at once: a Map deleted from the front one key at a time walks its holes
      let n = this.endedIds.size - ENDED_KEEP_MAX / 2;
      for (const id of this.endedIds.keys()) { if (n-- <= 0) break; this.endedIds.delete(id); }
    }
    this.live.delete(f.ctId); // the listing still shows it until the next one
  }

  /** The connections open now (one complete listing) replace the previous listing. */
  listed(flows: Iterable<FlowRecord>): void {
    const live = new Map<number | string, FlowRecord>();
    let i = 0;
    for (const f of flows) {
      if (f.ctId !== undefined && this.endedIds.has(f.ctId)) continue;
      live.set(f.ctId ?? `#${i++}`, f);
    }
    this.live = live;
    this.listings++;
    for (const [id, at] of this.endedIds) if (this.listings - at > ENDED_KEEP_LISTINGS) this.endedIds.delete(id);
  }

  /** Ended-connection totals changed since the last call (to store). */
  takeDirty(): DeviceBytes[] {
    const out: DeviceBytes[] = [];
    for (const ip of this.dirty) {
      const t = this.closed.get(ip);
      if (t) out.push({ ip, ...t });
    }
    this.dirty.clear();
    return out;
  }

  /** Per device: ended + open, biggest sender first. */
  totals(): DeviceBytes[] {
    const sum = new Map<string, Tot>();
    for (const [ip, t] of this.closed) sum.set(ip, { ...t });
    for (const f of this.live.values()) {
      const t = sum.get(f.deviceIp) ?? zero();
      add(t, f);
      sum.set(f.deviceIp, t);
    }
    return [...sum].map(([ip, t]) => ({ ip, ...t })).sort((a, b) => b.txBytes - a.txBytes || byCodeUnit(a.ip, b.ip));
  }
}
