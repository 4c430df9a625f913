// Control-socket commands of the device inventory (utmctl devices / device ...). Thin:
// validate the arguments, call the feature. The actor of every decision made here is the
// technician at the box's console ("utmctl").
import { z } from 'zod';
import type { Handlers } from '../feature/contract.js';
import { CommandError, parseArgs } from '../control/protocol.js';
import type { DevicesFeature } from './feature.js';
import { normaliseMac } from '../net/mac.js';
import { LABEL_MAX } from './model.js';

const MacArg = z.string().max(32).transform((s, ctx) => {
  const m = normaliseMac(s);
  if (m === null) { ctx.addIssue({ code: 'custom', message: 'not a MAC address (aa:bb:cc:dd:ee:ff)' }); return z.NEVER; }
  return m;
}).describe('MAC address in any common notation');
const ActionArgs = z.strictObject({ mac: MacArg });
const LabelArgs = z.strictObject({ mac: MacArg, label: z.string().max(LABEL_MAX * 4).nullable().describe('staff label; empty or null clears it') });
const AuditArgs = z.strictObject({ limit: z.int().min(1).max(10_000).default(50) });

export const TECHNICIAN_ACTOR = 'utmctl';


/** `devices`, `devices.scan`, `device.approve|quarantine|release|label`, `devices.audit`. */
export function devicesHandlers(f: DevicesFeature): Handlers {
  const decide = (type: 'approve' | 'quarantine' | 'release') => async (args: Record<string, unknown>) => {
    const { mac } = parseArgs(ActionArgs, args);
    const r = await f.act({ type, mac, actor: TECHNICIAN_ACTOR, at: f.now() });
    if (!r.ok) throw new CommandError(r.reason === 'unknown_device' ? `no device ${mac} in the inventory` : r.reason, r.reason);
    return { mac, changed: r.changed, status: r.device.status, enforced: r.enforced };
  };
  return {
    devices: () => f.list(),
    'devices.scan': async () => {
      await f.scan();
      return f.list();
    },
    'device.approve': decide('approve'),
    'device.quarantine': decide('quarantine'),
    'device.release': decide('release'),
    'device.label': async (args) => {
      const { mac, label } = parseArgs(LabelArgs, args);
      const r = await f.act({ type: 'label', mac, label, actor: TECHNICIAN_ACTOR, at: f.now() });
      if (!r.ok) throw new CommandError(r.reason === 'unknown_device' ? `no device ${mac} in the inventory` : r.reason, r.reason);
      return { mac, changed: r.changed, label: r.device.label };
    },
    'devices.audit': (args) => f.recentAudit(parseArgs(AuditArgs, args).limit),
  };
}
