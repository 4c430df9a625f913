// One ruleset apply at a time. Two re-applies that interleave (an `allow add` while a feed's
// full apply runs) would read the kernel, render and verify against each other's tables.
// Requests that arrive while one waits to start share it: it renders the state as of its
// start, which already includes their change.

export class ApplyQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting: Promise<boolean> | null = null;

  /** Runs `fn` after every earlier run has ended; joins a run that has not started yet. */
  request(fn: () => Promise<boolean>): Promise<boolean> {
    if (this.waiting) return this.waiting;
    const p = this.tail.then(() => {
      this.waiting = null;
      return fn();
    });
    this.waiting = p;
    this.tail = p.catch(() => undefined);
    return p;
  }

  /** Resolves when every run queued so far has ended. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
