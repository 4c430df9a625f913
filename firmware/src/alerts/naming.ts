// Devices named as staff know them (issue 15): every alert, upstream message and utmctl line
// names the office device by the label staff gave it, else the name it gives itself
// (hostname), else its maker and kind, with its address after it. The names are looked up
// when the alert is told, not frozen into the finding: a label given after the alert, or a
// hostname learned later, is used from then on. The catalog (webui/src/i18n/alerts/phrases.ts)
// words them and keeps a label apart from a name the device gave itself.
import type { Alert, AlertParams, DeviceRef } from './types.js';

/** What the inventory knows of a device's names; null where it knows nothing. */
export interface DeviceNaming {
  /** Given by staff (trusted words). */
  label: string | null;
  /** Given by the device itself in DHCP (hostile text; escaped at every output). */
  hostname: string | null;
  /** IEEE registry organisation of its MAC; null when the MAC is private. */
  vendor: string | null;
  /** Classified kind ('pc', 'phone', …, 'unknown'). */
  type: string | null;
}

/** Looks a device up by MAC, else by address; undefined when the box does not know it. */
export type NameDevice = (d: DeviceRef) => DeviceNaming | undefined;

/** The naming as template params (deviceLabel, deviceName, deviceVendor, deviceType). */
export function namingParams(n: DeviceNaming): AlertParams {
  return {
    deviceLabel: n.label ?? undefined, deviceName: n.hostname ?? undefined,
    deviceVendor: n.vendor ?? undefined, deviceType: n.type ?? undefined,
  };
}

/** `a` with its device's current names in its params (unchanged when the device is unknown). Pure. */
export function withDeviceNames(a: Alert, name: NameDevice | undefined): Alert {
  const n = name?.(a.device);
  if (n === undefined) return a;
  return { ...a, params: { ...a.params, ...namingParams(n) } };
}

/** The technician's one-line name of the device in `p`: `label "経理のパソコン"`, `hostname "KEIRI-XP"`,
 *  `Brother printer` or `Apple device` (kind unknown); undefined when nothing is known. Raw text: the caller escapes it. */
export function technicianName(p: AlertParams): string | undefined {
  const str = (k: string): string | undefined => (typeof p[k] === 'string' && p[k] !== '' ? p[k] : undefined);
  const label = str('deviceLabel');
  if (label) return `label "${label}"`;
  const host = str('deviceName');
  if (host) return `hostname "${host}"`;
  // 'unknown' is no kind: "Apple device", never "Apple unknown" or "unknown device" twice over.
  const vendor = str('deviceVendor'), type = str('deviceType') === 'unknown' ? undefined : str('deviceType');
  if (vendor || type) return [vendor, type ?? 'device'].filter(Boolean).join(' ');
  return undefined;
}
