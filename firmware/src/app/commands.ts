// Handlers of the control socket (what utmctl can ask). Thin: validate args, call modules.
import { z } from 'zod';
import { CommandError, parseArgs } from '../control/protocol.js';
import { verifyReadBack } from '../nft/verify.js';
import type { Daemon } from './daemon.js';
import { alertHandlers } from './alertCommands.js';
import { upstreamHandlers } from './upstreamCommands.js';

const LimitArgs = z.object({ limit: z.int().min(1).max(10_000).default(50) });

export type { Handlers } from '../feature/contract.js';
import type { Handlers } from '../feature/contract.js';


/** The commands every utmd answers; feature modules add their own. */
export function coreHandlers(d: Daemon): Handlers {
  return {
    ...alertHandlers(d),
    ...upstreamHandlers(d),
    status: () => d.status(),
    alerts: (args) => {
      const { limit } = parseArgs(LimitArgs, args);
      // each with the words the office was told (the one message catalog), for utmctl to show
      return (d.alerts?.recent(limit) ?? []).map((a) => ({ ...a, text: d.explain(a) }));
    },
    'ruleset.print': () => d.render(),
    password: () => {
      const c = d.credential;
      if (!c) throw new CommandError('not ready yet', 'not_ready');
      return c.source === 'generated'
        ? { source: c.source, password: c.password }
        : { source: c.source, password: null, note: 'set by the provider in the provisioning bundle' };
    },
    'ruleset.check': async () => {
      const doc = d.render();
      let check: string | null = null;
      try {
        await d.ruleset.check(doc);
      } catch (e) {
        check = (e as Error).message;
      }
      const drift = verifyReadBack(doc, await d.ruleset.readBack(), d.o.base.tableName);
      return { ok: check === null && drift.length === 0, checkError: check, drift, lastApplyError: d.lastApplyError };
    },
  };
}
