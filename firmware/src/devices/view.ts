// What the device feature hands the web UI: a snapshot of the inventory as plain data, and
// the port through which staff decisions come back. Rendering, wording and routes live in
// webui/ (views/devices.ts, routes/deviceActions.ts); nothing here knows about HTML.
import type { ActionOutcome } from './feature.js';
import type { DeviceAction } from './actions.js';
import type { AuditEntry, Device } from './model.js';

/** The inventory as the page shows it. */
export interface DeviceListView {
  devices: readonly Device[];
  learning: { active: boolean; until: number };
}

/** The device feature's view model and decision port for the page. */
export interface DevicesView {
  list(): DeviceListView;
  /** The decisions taken on devices (the inventory's audit log, kept in memory), for the history. */
  decisions?(): readonly AuditEntry[];
  act(a: DeviceAction): Promise<ActionOutcome>;
  now(): number;
}
