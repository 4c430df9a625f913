// Turns the features' view models (plain data and narrow ports, firmware/src/app/views.ts)
// into page sections and login-protected action routes. All wording and HTML stay here.
import type { FeatureViews } from '../../firmware/src/app/views.js';
import type { ActionMount, Desk, PageSection } from './deps.js';
import type { AlertCatalog } from './i18n/types.js';
import { mountDeviceActions } from './routes/deviceActions.js';
import { devicesSection } from './views/devices.js';
import { incidentSection } from './views/incidentSection.js';

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
