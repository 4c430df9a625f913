// Control-socket commands about alerts: incidents (with their alerts and evidence) and mutes.
// Thin: validate args with zod, call the repositories.
import { z } from 'zod';
import { CommandError, parseArgs } from '../control/protocol.js';
import { normaliseMac } from '../net/mac.js';
import { incidentAsAlert } from '../alerts/incidentText.js';
import type { Daemon } from './daemon.js';
import type { Handlers } from './commands.js';
import { deviceNameOf } from './commands.js';

const IncidentsArgs = z.strictObject({ limit: z.int().min(1).max(10_000).default(50) });
const MuteAddArgs = z.strictObject({
  device: z.string().max(64).optional().describe('MAC or IP of the office device'),
  remote: z.string().max(50).optional().describe('Destination address or prefix'),
  kind: z.string().max(40).regex(/^[a-z_]+$/).optional().describe('Only this alert kind'),
  forMs: z.int().min(60_000).max(366 * 86_400_000).nullable().default(null).describe('How long; null = until removed'),
  reason: z.string().max(200).default(''),
}).refine((a) => a.device !== undefined || a.remote !== undefined, { message: 'give --device, --remote, or both' });
const MuteDelArgs = z.strictObject({ id: z.int().min(1) });


function repos(d: Daemon): { incidents: NonNullable<Daemon['incidents']>; mutes: NonNullable<Daemon['mutes']>; alerts: NonNullable<Daemon['alerts']> } {
  if (!d.incidents || !d.mutes || !d.alerts) throw new CommandError('not ready yet', 'not_ready');
  return { incidents: d.incidents, mutes: d.mutes, alerts: d.alerts };
}

/** `incidents`, `mute.add`, `mute.list`, `mute.del`. */
export function alertHandlers(d: Daemon): Handlers {
  return {
    incidents: (args) => {
      const { limit } = parseArgs(IncidentsArgs, args);
      const r = repos(d);
      return r.incidents.recent(limit).map((i) => ({
        ...i,
        text: d.explain(incidentAsAlert(i)),
        deviceName: deviceNameOf(d, i.device),
        alerts: r.incidents.alertIds(i.id).map((id) => r.alerts.get(id)).filter((a) => a !== undefined),
      }));
    },
    'mute.add': (args) => {
      const a = parseArgs(MuteAddArgs, args);
      const device = a.device === undefined ? undefined : (normaliseMac(a.device) ?? a.device.toLowerCase());
      return repos(d).mutes.add({ device, remote: a.remote, kind: a.kind, until: a.forMs === null ? null : d.now() + a.forMs, reason: a.reason });
    },
    'mute.list': () => repos(d).mutes.list(),
    'mute.del': (args) => {
      const { id } = parseArgs(MuteDelArgs, args);
      if (!repos(d).mutes.delete(id)) throw new CommandError(`no mute #${id}`, 'not_found');
      return { deleted: id };
    },
  };
}
