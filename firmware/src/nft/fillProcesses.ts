// nft processes started ahead of a staged load's fill (blocklist/stagedLoad.ts), each waiting
// for the path of its document. Starting a process forks the whole daemon: ~7 ms at the RSS of
// a 100k-address load here (150 MB), ~1.5 ms at 46 MB (measured 2026-12-04), on the event
// loop. At the fill that cost fell between one part's start and the next, twice, in the
// load's critical path; started ahead it falls at a quiet moment (while a large first download
// arrives: blocklist/feature.ts; or RESTOCK_MS after a fill). A waiting process is a `sh` blocked
// on a read of its stdin (~1 MB); given a path it becomes `nft -j -f PATH` (exec: no fork).
// Ones not used within IDLE_MS end: a box whose feeds are small keeps none.
import { startWaiting, type WaitingRun } from '../sys/run.js';

/** After a fill, how long until its processes are replaced: the load and its snapshot are
 *  over by then. */
export const RESTOCK_MS = 10_000;
/** How long started processes wait for a fill before they end. */
export const IDLE_MS = 15 * 60_000;

/** Reads one line (the document's path) and becomes nft on it; ends without running nft when
 *  its stdin closes first (utmd stopped). The path is an argument, never shell text. */
const SCRIPT = 'IFS= read -r f || exit 111; exec "$@" -f "$f"';

export class FillProcesses {
  private ready: WaitingRun[] = [];
  private restock: NodeJS.Timeout | undefined;
  private idle: NodeJS.Timeout | undefined;
  private closed = false;

  /** `nftJson`: the argv that runs `nft -j` (a namespace's prefix included). */
  constructor(private readonly nftJson: readonly string[], private readonly count: number, private readonly timeoutMs: number,
    private readonly restockMs = RESTOCK_MS, private readonly idleMs = IDLE_MS) {}

  /** Starts processes until `count` wait (none while a restock is due: it comes then). */
  prepare(): void {
    if (this.closed || this.restock) return;
    this.ready = this.ready.filter((p) => !p.ended);
    while (this.ready.length < this.count) {
      this.ready.push(startWaiting(['/bin/sh', '-c', SCRIPT, 'utm-nft-fill', ...this.nftJson], { timeoutMs: this.timeoutMs }));
    }
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.endWaiting(), this.idleMs);
    this.idle.unref();
  }

  /** A waiting process, or null (none left: the caller starts nft itself). */
  take(): WaitingRun | null {
    for (let p = this.ready.shift(); p; p = this.ready.shift()) if (!p.ended) return p;
    return null;
  }

  /** After a fill took some: start their replacements RESTOCK_MS later. */
  used(): void {
    if (this.closed || this.restock || this.ready.length >= this.count) return;
    this.restock = setTimeout(() => {
      this.restock = undefined;
      this.prepare();
    }, this.restockMs);
    this.restock.unref();
  }

  /** Ends the waiting processes (the daemon's stop); none is started after. */
  close(): void {
    this.closed = true;
    clearTimeout(this.restock);
    this.endWaiting();
  }

  private endWaiting(): void {
    clearTimeout(this.idle);
    for (const p of this.ready) p.kill();
    this.ready = [];
  }
}

/** What a waiting process is told: the document's path, one line. */
export const goLine = (file: string): string => `${file}\n`;
