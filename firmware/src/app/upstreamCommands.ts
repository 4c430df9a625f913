// Control-socket commands about the link to the monitoring centre (`utmctl upstream status`).
import type { Handlers } from './commands.js';
import type { Reporting } from './reporting.js';

/** What the upstream commands use. */
export interface UpstreamPorts {
  reporting: Pick<Reporting, 'view'>;
}

/** `upstream.status`: the delivery status plus the silence rule, heartbeat and statistics state. */
export function upstreamHandlers(p: UpstreamPorts): Handlers {
  return {
    'upstream.status': () => p.reporting.view(),
  };
}
