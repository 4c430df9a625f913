// Poller: the firmware's one way to do something again and again (read the neighbour table,
// list open connections, read lease files, check free space). It owns its timer: start() and
// stop() pair, and stop() leaves nothing running. A run still going when the next tick comes
// makes that tick skip (counted), so a slow kernel or a hung tool never piles up runs. A run's
// error is counted and handed to onError, never thrown into the timer.
// (Tests poll with a deadline through test/lab/poll.ts; this is the daemon's side.)

export interface PollerOptions {
  /** ms between the starts of two runs. */
  everyMs: number;
  /** One run. */
  run: () => Promise<void> | void;
  /** A run failed (default: counted only). */
  onError?: ((e: unknown) => void) | undefined;
  /** Keep the process alive for this timer (default false: the daemon's own lifecycle does). */
  ref?: boolean | undefined;
}

export class Poller {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  readonly counts = { runs: 0, skipped: 0, failures: 0 };

  constructor(private readonly o: PollerOptions) {}

  /** Starts the timer; `runNow`: one run at once, too. Starting twice keeps one timer. */
  start(runNow = false): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.o.everyMs);
    if (!this.o.ref) this.timer.unref();
    if (runNow) void this.tick();
  }

  /** Stops the timer; a run under way finishes (await it with idle()). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Whether the timer runs. */
  get started(): boolean {
    return this.timer !== null;
  }

  /** Runs once now, or joins the run under way. Never rejects. */
  runNow(): Promise<void> {
    return this.current ?? this.tick();
  }

  /** Resolves when no run is under way. */
  async idle(): Promise<void> {
    await this.current;
  }

  private tick(): Promise<void> {
    if (this.current) {
      this.counts.skipped++;
      return this.current;
    }
    // cleared in a callback (never synchronously: a run that throws at once must not leave
    // `current` set for good)
    const p: Promise<void> = this.once().finally(() => {
      if (this.current === p) this.current = null;
    });
    this.current = p;
    return p;
  }

  private async once(): Promise<void> {
    try {
      await this.o.run();
      this.counts.runs++;
    } catch (e) {
      this.counts.failures++;
      this.o.onError?.(e);
    }
  }
}
