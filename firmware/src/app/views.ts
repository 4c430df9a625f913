// The view models features hand to the web UI. A feature returns plain data and narrow
// ports; the web UI (webui/src/features.ts) turns them into page sections and action
// routes with the one message catalog. Firmware never imports webui rendering.
import type { DevicesView } from '../devices/view.js';
import type { IncidentsView } from '../traffic/view.js';

export interface FeatureViews {
  /** The device inventory and the staff's approve/quarantine/release decisions. */
  devices?: DevicesView | undefined;
  /** The latest incidents with their alerts. */
  incidents?: IncidentsView | undefined;
}
