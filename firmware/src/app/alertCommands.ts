// Control-socket commands about alerts: incidents (with their alerts and evidence) and mutes.
// Thin: validate args with zod, call the repositories.
import { z } from 'zod';
import { CommandError, parseArgs } from '../control/protocol.js';
import { normaliseMac } from '../net/mac.js';
import { incidentAsAlert } from '../alerts/incidentText.js';
import type { Alert, DeviceRef } from '../alerts/types.js';
import { namingParams, technicianName, type NameDevice } from '../alerts/naming.js';
import type { AlertsRepo } from '../alerts/alertsRepo.js';
import type { IncidentsRepo } from '../alerts/incidentsRepo.js';
import type { MutesRepo } from '../alerts/mutesRepo.js';
import type { AlertWords } from '../text/staffText.js';
import type { Handlers } from './commands.js';

const IncidentsArgs = z.strictObject({ limit: z.int().min(1).max(10_000).default(50) });
const MuteAddArgs = z.strictObject({
  device: z.string().max(64).optional().describe('MAC or IP of the office device'),
  remote: z.string().max(50).optional().describe('Destination address or prefix'),
  kind: z.string().max(40).regex(/^[a-z_]+$/).optional().describe('Only this alert kind'),
  forMs: z.int().min(60_000).max(366 * 86_400_000).nullable().default(null).describe('How long; null = until removed'),
  reason: z.string().max(200).default(''),
}).refine((a) => a.device !== undefined || a.remote !== undefined, { message: 'give --device, --remote, or both' });
const MuteDelArgs = z.strictObject({ id: z.int().min(1) });


/** What the alert commands use. */
export interface AlertPorts {
  incidents: Pick<IncidentsRepo, 'recent' | 'alertIds'>;
  mutes: Pick<MutesRepo, 'add' | 'list' | 'delete'>;
  alerts: Pick<AlertsRepo, 'get'>;
  /** An alert in the words the office was told (the one message catalog). */
  explain(a: Alert): AlertWords;
  /** How staff know an office device (alerts/naming.ts), for utmctl lines. */
  nameDevice: NameDevice;
  now(): number;
}

/** The technician's name of an office device (label, else hostname, else maker and kind), or undefined. */
export function deviceNameOf(name: NameDevice, device: DeviceRef): string | undefined {
  const n = name(device);
  return n && technicianName(namingParams(n));
}

/** `incidents`, `mute.add`, `mute.list`, `mute.del`. */
export function alertHandlers(p: AlertPorts): Handlers {
  return {
    incidents: (args) => {
      const { limit } = parseArgs(IncidentsArgs, args);
      return p.incidents.recent(limit).map((i) => ({
        ...i,
        text: p.explain(incidentAsAlert(i)),
        deviceName: deviceNameOf(p.nameDevice, i.device),
        alerts: p.incidents.alertIds(i.id).map((id) => p.alerts.get(id)).filter((a) => a !== undefined),
      }));
    },
    'mute.add': (args) => {
      const a = parseArgs(MuteAddArgs, args);
      const device = a.device === undefined ? undefined : (normaliseMac(a.device) ?? a.device.toLowerCase());
      return p.mutes.add({ device, remote: a.remote, kind: a.kind, until: a.forMs === null ? null : p.now() + a.forMs, reason: a.reason });
    },
    'mute.list': () => p.mutes.list(),
    'mute.del': (args) => {
      const { id } = parseArgs(MuteDelArgs, args);
      if (!p.mutes.delete(id)) throw new CommandError(`no mute #${id}`, 'not_found');
      return { deleted: id };
    },
  };
}
