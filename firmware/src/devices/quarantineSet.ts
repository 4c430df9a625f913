// Adapter: the kernel's MAC quarantine set, changed incrementally. Approve, quarantine and
// release touch one element; no full re-render. The set lives in `inet utm` in both modes and,
// in bridge mode, also in `bridge utm` (non-IP frames and the box's own ports; see
// nft/render.ts): both change in one transaction. Changes run one at a time, in order.
import type { RulesetSets } from '../nft/backend.js';
import type { Cmd, Family } from '../nft/json.js';
import type { ActionRequest } from './model.js';

export interface QuarantineSetOptions {
  ruleset: Pick<RulesetSets, 'table' | 'transact'>;
  /** Current mode (null before the first apply: nothing to change yet). */
  mode: () => 'bridge' | 'router' | null;
  onResult: (ok: boolean, detail: string) => void;
}

/** The nft commands for one request. Removal adds first so that deleting an element that is
 *  not there (e.g. after a full apply) cannot fail the transaction. Pure. */
export function quarantineCommands(family: Family, table: string, r: ActionRequest): Cmd[] {
  const element = { family, table, name: 'quarantine', elem: [r.mac] };
  const add: Cmd = { add: { element } };
  return r.type === 'quarantine_add' ? [add] : [add, { delete: { element } }];
}

export class QuarantineSet {
  private chain: Promise<void> = Promise.resolve();
  readonly counts = { applied: 0, failed: 0 };

  constructor(private readonly o: QuarantineSetOptions) {}

  /** Queues requests; resolves with true when they reached the kernel. Never rejects. */
  enqueue(reqs: readonly ActionRequest[]): Promise<boolean> {
    if (reqs.length === 0) return Promise.resolve(true);
    const run = this.chain.then(() => this.apply(reqs));
    this.chain = run.then(() => undefined);
    return run;
  }

  private async apply(reqs: readonly ActionRequest[]): Promise<boolean> {
    const mode = this.o.mode();
    if (mode === null) return false;
    const families: Family[] = mode === 'bridge' ? ['inet', 'bridge'] : ['inet'];
    const cmds = families.flatMap((family) => reqs.flatMap((r) => quarantineCommands(family, this.o.ruleset.table, r)));
    try {
      await this.o.ruleset.transact(JSON.stringify({ nftables: cmds }));
      this.counts.applied += reqs.length;
      this.o.onResult(true, `${reqs.length} quarantine change(s) applied`);
      return true;
    } catch (e) {
      this.counts.failed += reqs.length;
      this.o.onResult(false, `quarantine change failed: ${(e as Error).message}`);
      return false;
    }
  }
}
