// A stack of clean-up steps that always runs in reverse order, continues past failures
// and reports every step that failed.

export interface TeardownFailure {
  step: string;
  error: unknown;
}

export class TeardownError extends Error {
  override name = 'TeardownError';
  constructor(readonly failures: readonly TeardownFailure[]) {
    super(`teardown: ${failures.length} step(s) failed: ${failures.map((f) => `${f.step} (${errorText(f.error)})`).join('; ')}`,
      { cause: failures[0]?.error });
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Teardown {
  private readonly steps: { step: string; fn: () => unknown }[] = [];
  private running: Promise<TeardownFailure[]> | undefined;

  /** Registers a clean-up step; steps run last-in first-out. */
  push(step: string, fn: () => unknown): void {
    this.steps.push({ step, fn });
  }

  /** Runs every step once (later calls return the same result); never throws. */
  run(): Promise<TeardownFailure[]> {
    this.running ??= this.runAll();
    return this.running;
  }

  /** Like run(), but throws TeardownError when any step failed. */
  async runOrThrow(): Promise<void> {
    const failures = await this.run();
    if (failures.length > 0) throw new TeardownError(failures);
  }

  private async runAll(): Promise<TeardownFailure[]> {
    const failures: TeardownFailure[] = [];
    for (;;) {
      const s = this.steps.pop();
      if (s === undefined) break;
      try {
        await s.fn();
      } catch (error) {
        failures.push({ step: s.step, error });
      }
    }
    return failures;
  }
}
