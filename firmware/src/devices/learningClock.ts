// The learning period against a wall clock that is set while it runs. A new box may record the
// start of its learning period before NTP has set its clock (a dead RTC battery: the clock
// starts at systemd's build date, months back); when NTP then steps the clock forward past
// the learning days, the learning would end at once and every office device seen later would
// alert as new. A step is what the wall clock moved beyond the monotonic clock between two
// looks; while the learning runs, its start moves by the step (either way), so the learning
// lasts its days of real time. Pure but for the monotonic clock it is given.
import { inLearning } from './inventory.js';
import type { InventoryPolicy, InventoryState } from './model.js';

/** Less than this between the two clocks is drift or a slow look, not a step. */
export const STEP_MS = 5 * 60_000;

export class LearningClock {
  private last: { wall: number; mono: number } | null = null;

  constructor(private readonly mono: () => number = () => performance.now()) {}

  /** `state` with its learning start moved by the wall clock's step since the last look, when
   *  the learning still ran before the step (`save` gets the new start); else `state` itself. */
  follow(state: InventoryState, wall: number, policy: Pick<InventoryPolicy, 'learningDays'>, save: (startedAt: number) => void): InventoryState {
    const mono = this.mono();
    const last = this.last;
    this.last = { wall, mono };
    if (!last) return state;
    const step = wall - last.wall - (mono - last.mono);
    if (Math.abs(step) < STEP_MS || !inLearning(state, last.wall, policy)) return state;
    const startedAt = state.startedAt + step;
    save(startedAt);
    return { ...state, startedAt };
  }
}
