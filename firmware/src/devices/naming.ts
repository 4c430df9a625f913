// A device record as the names staff know it by (alerts/naming.ts): the staff label, the
// hostname it sent, its maker (never for a private MAC) and its classified kind.
import type { DeviceNaming } from '../alerts/naming.js';
import type { Device } from './model.js';

/** The names of `d` for alert text. Pure. */
export function deviceNaming(d: Device): DeviceNaming {
  const trimmed = (v: string | null): string | null => (v !== null && v.trim() !== '' ? v.trim() : null);
  return {
    label: trimmed(d.label),
    hostname: trimmed(d.hostname),
    vendor: d.randomised ? null : trimmed(d.vendor),
    type: d.deviceType,
  };
}
