// Per-device byte counters from conntrack accounting (byteLedger.ts): every `everyMs` the
// open connections of both families are listed once (listOpenConnections, the same reader as the
// long-connection poller), ended connections arrive as DESTROY events through the sensors.
// Nothing in the packet path counts, so established traffic keeps the ruleset's fast path.
import { parseFlow, type FlowRecord } from '../flows/parse.js';
import { Poller } from '../time/poller.js';
import { ByteLedger, countsForDevice, type DeviceBytes } from './byteLedger.js';
import { listOpenConnections, parseConntrackLine } from './conntrackList.js';
import type { DeviceBytesRepo } from './deviceBytesRepo.js';

export type { DeviceBytes } from './byteLedger.js';

export interface ByteCounterOptions {
  everyMs: number;
  now: () => number;
  isLan: (ip: string) => boolean;
  /** The box's own addresses: its own connections are not a device's. */
  boxAddresses: () => readonly string[];
  /** Where ended connections' totals are kept across restarts (absent: memory only). */
  repo?: DeviceBytesRepo | undefined;
  /** Lists open connections (default: listOpenConnections, IPv4 and IPv6). */
  list?: (() => Promise<string>) | undefined;
  onError: (e: unknown) => void;
}

/** Reads conntrack; `latest()` is what `utmctl status` and the page show. */
export class ByteCounters {
  private readonly poller: Poller;
  /** The box's own addresses as a set, rebuilt only when the plan hands a new list. */
  private boxSet: { from: readonly string[]; set: ReadonlySet<string> } | null = null;
  private readonly ledger = new ByteLedger();
  private busy = false;
  readonly stats = { polls: 0, skipped: 0, lastPollMs: 0, ended: 0 };

  constructor(private readonly o: ByteCounterOptions) {
    this.poller = new Poller({ everyMs: o.everyMs, run: () => this.poll() });
  }

  start(): void {
    try {
      this.ledger.restore(this.o.repo?.all() ?? []);
    } catch (e) {
      this.o.onError(e);
    }
    this.poller.start(true);
  }

  stop(): void {
    this.poller.stop();
    this.save();
  }

  latest(): DeviceBytes[] {
    return this.ledger.totals();
  }

  /** The box's own addresses (per ended flow: no new Set unless the list changed). */
  private box(): ReadonlySet<string> {
    const from = this.o.boxAddresses();
    if (this.boxSet?.from !== from) this.boxSet = { from, set: new Set(from) };
    return this.boxSet.set;
  }

  /** A flow record from the sensors: ended connections add to their device's total. */
  onFlow(f: FlowRecord): void {
    if (f.event !== 'end' || !countsForDevice(f, this.box())) return;
    this.stats.ended++;
    this.ledger.ended(f);
  }

  /** One listing of the open connections. Errors are reported, never thrown. */
  async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const t0 = performance.now();
    try {
      const text = await (this.o.list ?? listOpenConnections)();
      const now = this.o.now();
      const box = this.box();
      const flows: FlowRecord[] = [];
      for (const line of text.split('\n')) {
        if (!line) continue;
        const rec = parseConntrackLine(line, now);
        const r = rec ? parseFlow(rec, this.o.isLan) : undefined;
        if (!r?.ok) {
          // a line with no office side is not an error: the box's own or transit traffic
          if (!r || r.reason !== 'no_lan_side') this.stats.skipped++;
          continue;
        }
        if (countsForDevice(r.flow, box)) flows.push(r.flow);
      }
      this.ledger.listed(flows);
      this.save();
      this.stats.polls++;
    } catch (e) {
      this.o.onError(e);
    } finally {
      this.busy = false;
      this.stats.lastPollMs = performance.now() - t0;
    }
  }

  private save(): void {
    const rows = this.ledger.takeDirty();
    if (!rows.length || !this.o.repo) return;
    try {
      this.o.repo.save(rows);
    } catch (e) {
      this.o.onError(e);
    }
  }
}
