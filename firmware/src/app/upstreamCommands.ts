// Control-socket commands about the link to the monitoring centre (`utmctl upstream status`).
import { CommandError } from '../control/protocol.js';
import type { Daemon } from './daemon.js';
import type { Handlers } from './commands.js';

/** `upstream.status`: the delivery status plus the silence rule, heartbeat and statistics state. */
export function upstreamHandlers(d: Daemon): Handlers {
  return {
    'upstream.status': () => {
      const r = d.reporting;
      if (!r) throw new CommandError('not ready yet', 'not_ready');
      return r.view();
    },
  };
}
