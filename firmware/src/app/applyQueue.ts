// The one queue every ruleset change goes through. Two changes that interleave (an `allow add`
// while a feed's incremental sync runs) would read the kernel, render and verify against each
// other's tables. Full applies that arrive while one waits to start share it: it renders the
// state as of its start, which already includes their change. Incremental changes (a set
// sync, a manual block, a quarantine element) each get their own turn, in arrival order.
import { AsyncLocalStorage } from 'node:async_hooks';

/** Runs `fn` as one ruleset change, in turn with every other (the driver's `serialize`). */
export type Serialize = <T>(fn: () => Promise<T>) => Promise<T>;

/** A full apply was requested from inside a ruleset change: it would wait for itself. */
export class ApplyQueueError extends Error {
  override name = 'ApplyQueueError';
}

interface Turn {
  open: boolean;
}

export class ApplyQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting: Promise<boolean> | null = null;
  /** The turn the current async context runs in (a change made inside a turn runs at once). */
  private readonly turn = new AsyncLocalStorage<Turn>();
  readonly counts = { applies: 0, changes: 0 };

  /** Runs the full apply `fn` after every earlier run has ended; joins one that has not
   *  started yet. Rejects with ApplyQueueError when called from inside a turn. */
  request(fn: () => Promise<boolean>): Promise<boolean> {
    if (this.inTurn()) return Promise.reject(new ApplyQueueError('a full apply was requested inside a ruleset change'));
    if (this.waiting) return this.waiting;
    const p = this.tail.then(() => {
      this.waiting = null;
      this.counts.applies++;
      return this.take(fn);
    });
    this.waiting = p;
    this.tail = p.catch(() => undefined);
    return p;
  }

  /** Runs the incremental change `fn` in its own turn, after every earlier run; inside a
   *  turn (the driver's own steps of an apply) it runs at once. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTurn()) return fn();
    const p = this.tail.then(() => {
      this.counts.changes++;
      return this.take(fn);
    });
    this.tail = p.catch(() => undefined);
    return p;
  }

  /** Resolves when every run queued so far has ended. */
  async idle(): Promise<void> {
    await this.tail;
  }

  private inTurn(): boolean {
    return this.turn.getStore()?.open === true;
  }

  private async take<T>(fn: () => Promise<T>): Promise<T> {
    // a timer a run leaves behind inherits the context; it must not count as inside the turn
    const t: Turn = { open: true };
    try {
      return await this.turn.run(t, fn);
    } finally {
      t.open = false;
    }
  }
}
