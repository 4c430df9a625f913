// Turns the features' view models (plain data and narrow ports, firmware/src/app/views.ts)
// into the office page's sources and login-protected action routes. All wording and HTML stay here.
import type { FeatureViews } from '../../firmware/src/app/views.js';
import type { ActionMount, Desk, PageSection, WebExtensions } from './deps.js';
import type { AlertCatalog } from './i18n/types.js';
import { mountDeviceActions } from './routes/deviceActions.js';

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
