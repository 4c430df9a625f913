// Turns the features' view models (plain data and narrow ports) into the office page's sources
// and login-protected action routes. All wording and HTML stay here.
import type { DevicesView } from '../../firmware/src/devices/view.js';
import type { IncidentsView } from '../../firmware/src/traffic/view.js';
import type { ActionMount, Desk, PageSection, WebExtensions } from './deps/deps.js';
import type { AlertCatalog } from './i18n/types.js';
import { mountDeviceActions } from './routes/deviceActions.js';

/** The view models features hand to the page (the composition root collects them). */
export interface FeatureViews {
  /** The device inventory and the staff's approve/quarantine/release decisions. */
  devices?: DevicesView | undefined;
  /** The latest incidents with their alerts. */
  incidents?: IncidentsView | undefined;
}

/** Page sections and action routes for the given feature views, in the features' order. */
export function featureExtensions(views: readonly FeatureViews[], _o: { catalog: AlertCatalog; desk: Desk | null }): WebExtensions & { sections: PageSection[]; actions: ActionMount[] } {
  const ext: WebExtensions & { sections: PageSection[]; actions: ActionMount[] } = { sections: [], actions: [] };
  for (const v of views) {
    const devices = v.devices;
    if (devices) {
      // The office page asks about new devices and lists them (views/page.ts).
      ext.devices = devices;
      ext.actions.push((router) => mountDeviceActions(devices, router));
    }
    if (v.incidents) ext.incidents = v.incidents;
  }
  return ext;
}
