// When syncSets (blocklist/refreshApply.ts) runs its `whileApplying` work (the snapshot's
// encoding): beside nft while one transaction takes an update (nft is another process, a core
// is free), but only after a staged load's fill, whose nft processes take every core.
import test from 'ava';
import { syncSets, type SetsState } from '../../../firmware/src/blocklist/refreshApply.js';
import { emptyContent, type GroupLayout } from '../../../firmware/src/blocklist/layout.js';
import type { SetContent } from '../../../firmware/src/blocklist/packed.js';
import type { RulesetSets } from '../../../firmware/src/nft/backend.js';

const G: GroupLayout = { id: 'g', direction: 'both', action: 'drop', feedIds: ['f'] };
const singles = (n: number, from = 0): SetContent => ({ ...emptyContent(), v4Singles: Uint32Array.from({ length: n }, (_, i) => 0x01000000 + 2 * (i + from)) });
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

/** A kernel that records when each transaction and fill part starts and ends. */
function recordingKernel(events: string[]): RulesetSets {
  return {
    table: 'utm',
    fillParts: 2,
    async transact(_doc, started) {
      events.push('transact');
      started?.();
      await tick();
      events.push('transact end');
    },
    async fill(parts, started) {
      const running = parts.map(async (make, i) => {
        make();
        events.push(`part ${i}`);
        await tick();
        events.push(`part ${i} end`);
      });
      started?.();
      await Promise.all(running);
    },
    listSet: () => Promise.reject(new Error('not read back here')),
    change: (fn) => fn(),
  };
}

function state(events: string[], applied: SetContent, next: SetContent): SetsState {
  return {
    ctx: { ruleset: recordingKernel(events), log: { info() {}, warn() {}, error() {} }, requestApply: async () => true } as unknown as SetsState['ctx'],
    layout: [G],
    applied: new Map([['g', applied]]),
    content: () => next,
    timings: {},
    whileApplying: () => events.push('whileApplying'),
    gens: new Map(),
    stageMin: 100,
  };
}

test('a staged load: the work beside nft waits for the fill to end, then runs beside the swap', async (t) => {
  const events: string[] = [];
  const s = state(events, emptyContent(), singles(1000));
  await syncSets(s);
  const at = (e: string): number => events.indexOf(e);
  t.true(at('part 0 end') >= 0 && at('part 1 end') >= 0, JSON.stringify(events));
  t.true(at('whileApplying') > at('part 0 end') && at('whileApplying') > at('part 1 end'), `not while the fill runs: ${JSON.stringify(events)}`);
  t.is(events.filter((e) => e === 'whileApplying').length, 1);
  t.true(at('whileApplying') < events.lastIndexOf('transact end'), 'beside the transaction that puts the new sets in use');
  t.is(typeof s.timings?.runningMs, 'number');
});

test('an update: the work beside nft runs while its one transaction does', async (t) => {
  const events: string[] = [];
  const before = singles(1000);
  await syncSets(state(events, before, singles(1000, 5)));
  t.deepEqual(events, ['transact', 'whileApplying', 'transact end']);
});
