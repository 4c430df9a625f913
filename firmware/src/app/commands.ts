// Handlers of the control socket (what utmctl can ask). Thin: validate args, call modules.
// Each set of handlers gets a narrow port with just what it uses, never the daemon.
import { z } from 'zod';
import { parseArgs } from '../control/protocol.js';
import type { Alert } from '../alerts/types.js';
import type { Credential } from '../auth/credential.js';
import type { NftDocument } from '../nft/json.js';
import type { RulesetCheck } from './appService.js';
import type { AlertWords } from '../text/staffText.js';
import { alertHandlers, deviceNameOf, type AlertPorts } from './alertCommands.js';
import { upstreamHandlers, type UpstreamPorts } from './upstreamCommands.js';

const LimitArgs = z.object({ limit: z.int().min(1).max(10_000).default(50) });

export type { Handlers } from '../feature/contract.js';
import type { Handlers } from '../feature/contract.js';

/** What the core commands use. */
export interface CorePorts extends AlertPorts, UpstreamPorts {
  /** What `utmctl status` shows. */
  status(): Record<string, unknown>;
  recentAlerts(limit: number): Alert[];
  /** An alert in the words the office was told (the one message catalog). */
  explain(a: Alert): AlertWords;
  /** The policy in force, rendered (throws before the first apply). */
  render(): NftDocument;
  checkRuleset(): Promise<RulesetCheck>;
  credential: Credential;
  /** The secure page's certificate: source, SHA-256 fingerprint, key pin, expiry, names, port. */
  webCert(): Record<string, unknown>;
}

/** The commands every utmd answers; feature modules add their own. */
export function coreHandlers(p: CorePorts): Handlers {
  return {
    ...alertHandlers(p),
    ...upstreamHandlers(p),
    status: () => p.status(),
    'web.cert': () => p.webCert(),
    alerts: (args) => {
      const { limit } = parseArgs(LimitArgs, args);
      // each with the words the office was told (the one message catalog), for utmctl to show
      // and the device as staff know it (label, else hostname, else maker and kind) before its address
      return p.recentAlerts(limit).map((a) => ({ ...a, text: p.explain(a), deviceName: deviceNameOf(p.nameDevice, a.device) }));
    },
    'ruleset.print': () => p.render(),
    password: () => {
      const c = p.credential;
      return c.source === 'generated'
        ? { source: c.source, password: c.password }
        : { source: c.source, password: null, note: 'set by the provider in the provisioning bundle' };
    },
    'ruleset.check': () => p.checkRuleset(),
  };
}
