// The message catalog as the port firmware speaks through (firmware/src/text/staffText.ts):
// alert explanations for upstream messages and utmctl, and the upstream reporting lines.
// Built once by the composition root; the page uses the same catalog.
import type { StaffText } from '../../../firmware/src/text/staffText.js';
import type { Desk } from '../model/model.js';
import { buildCatalog } from './alerts/index.js';
import { explainAlert } from './explain.js';
import type { AlertCatalog } from './types.js';
import { conditionText, heartbeatText, statsText } from './upstream.js';

/** The StaffText of `catalog` (default: the built-in catalog), naming `desk` as whom to call. */
export function staffText(desk: Desk | null, catalog: AlertCatalog = buildCatalog()): StaffText & { catalog: AlertCatalog } {
  return {
    catalog,
    explain: (a, lang) => explainAlert(a, lang, catalog, desk),
    condition: conditionText,
    heartbeat: heartbeatText,
    stats: statsText,
  };
}
