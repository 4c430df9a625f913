// Turns the features' view models (plain data and narrow ports) into page sections and
// login-protected action routes. All wording and HTML stay here.
import type { DevicesView } from '../../firmware/src/devices/view.js';
import type { IncidentsView } from '../../firmware/src/traffic/view.js';
import type { ActionMount, Desk, PageSection } from './deps/deps.js';
import type { AlertCatalog } from './i18n/types.js';
import { mountDeviceActions } from './routes/deviceActions.js';
import { devicesSection } from './views/devices.js';
import { incidentSection } from './views/incidentSection.js';

/** The view models features hand to the page (the composition root collects them). */
export interface FeatureViews {
  /** The device inventory and the staff's approve/quarantine/release decisions. */
  devices?: DevicesView | undefined;
  /** The latest incidents with their alerts. */
  incidents?: IncidentsView | undefined;
}

/** Page sections and action routes for the given feature views, in the features' order. */
export function featureExtensions(views: readonly FeatureViews[], o: { catalog: AlertCatalog; desk: Desk | null }): { sections: PageSection[]; actions: ActionMount[] } {
  const ext: { sections: PageSection[]; actions: ActionMount[] } = { sections: [], actions: [] };
  for (const v of views) {
    const devices = v.devices;
    if (devices) {
      ext.sections.push((ctx) => devicesSection(devices, ctx));
      ext.actions.push((router) => mountDeviceActions(devices, router));
    }
    if (v.incidents) ext.sections.push(incidentSection(v.incidents, o));
  }
  return ext;
}
