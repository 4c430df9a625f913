// Adapter: the kernel's MAC quarantine set, changed incrementally. Approve, quarantine and
// release touch one element; no full re-render. The set lives in `inet utm` in both modes and,
// in bridge mode, also in `bridge utm`, whose forward chain is armed (per-frame lookups) while
// the set holds a MAC and disarmed while it is empty (nft/render.ts bridgeForwardRules): the
// set change and the chain's form go in one transaction. Changes run one at a time, in order.
import { z } from 'zod';
import type { RulesetSets } from '../nft/backend.js';
import type { Cmd, Family } from '../nft/json.js';
import type { Interfaces } from '../nft/policy.js';
import { bridgeForwardCommands } from '../nft/render.js';
import type { ActionRequest } from './model.js';

export interface QuarantineSetOptions {
  ruleset: Pick<RulesetSets, 'table' | 'transact' | 'listSet' | 'change'>;
  /** Mode and ports of the last apply (null before the first apply: nothing to change yet). */
  plan: () => { mode: 'bridge' | 'router'; ifaces: Interfaces } | null;
  onResult: (ok: boolean, detail: string) => void;
}

/** The nft commands for one request. Removal adds first so that deleting an element that is
 *  not there (e.g. after a full apply) cannot fail the transaction. Pure. */
export function quarantineCommands(family: Family, table: string, r: ActionRequest): Cmd[] {
  const element = { family, table, name: 'quarantine', elem: [r.mac] };
  const add: Cmd = { add: { element } };
  return r.type === 'quarantine_add' ? [add] : [add, { delete: { element } }];
}

/** The MACs in the set after `reqs`, from the MACs in it now (lower case). Pure. */
export function quarantinedAfter(now: readonly string[], reqs: readonly ActionRequest[]): string[] {
  const s = new Set(now.map((m) => m.toLowerCase()));
  for (const r of reqs) {
    if (r.type === 'quarantine_add') s.add(r.mac.toLowerCase());
    else s.delete(r.mac.toLowerCase());
  }
  return [...s].sort();
}

/** Bridge mode's whole transaction: both tables' sets, and the bridge forward chain armed
 *  exactly when the bridge set holds a MAC afterwards (`now`: its MACs before). Pure. */
export function bridgeQuarantineCommands(table: string, ifaces: Pick<Interfaces, 'wan' | 'lan'>, now: readonly string[], reqs: readonly ActionRequest[]): Cmd[] {
  const sets = (['inet', 'bridge'] as const).flatMap((family) => reqs.flatMap((r) => quarantineCommands(family, table, r)));
  return [...sets, ...bridgeForwardCommands(table, ifaces, quarantinedAfter(now, reqs).length > 0)];
}

// `nft -j list set bridge TABLE quarantine`: an ether_addr set's elements are strings
const SetListing = z.object({ nftables: z.array(z.object({ set: z.object({ elem: z.array(z.string()).optional() }).optional() })) });

/** The MACs of a listed quarantine set; throws SyntaxError or ZodError on other text. */
export function parseQuarantineListing(json: string): string[] {
  return SetListing.parse(JSON.parse(json)).nftables.flatMap((o) => o.set?.elem ?? []);
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
    const plan = this.o.plan();
    if (plan === null) return false;
    const { ruleset } = this.o;
    try {
      if (plan.mode === 'router') {
        await ruleset.transact(JSON.stringify({ nftables: reqs.flatMap((r) => quarantineCommands('inet', ruleset.table, r)) }));
      } else {
        // One turn of the apply queue: no full apply or other change between reading the set
        // and the transaction, so the chain's form is decided on what the set will hold.
        await ruleset.change(async () => {
          const now = parseQuarantineListing(await ruleset.listSet('bridge', 'quarantine'));
          await ruleset.transact(JSON.stringify({ nftables: bridgeQuarantineCommands(ruleset.table, plan.ifaces, now, reqs) }));
        });
      }
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
