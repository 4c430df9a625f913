// The alert message catalog: merges the partial catalogs of each feature area into one.
// To add an area, write `./<area>.ts` exporting an AlertCatalog and list it in PARTS below.
// A kind defined twice is a programming error and makes buildCatalog throw at start-up.
import type { AlertCatalog } from '../types.js';
import { coreCatalog } from './core.js';
import { blocklistAlerts } from './blocklist.js';
import { deviceAlerts } from './devices.js';
import { nameAlerts } from './names.js';
import { trafficAlerts } from './traffic.js';
import { configAlerts } from './config.js';
import { storageAlerts } from './storage.js';
import { networkAlerts } from './network.js';
import { serviceAlerts } from './services.js';

/** Thrown when two partial catalogs define the same alert kind. */
export class CatalogConflictError extends Error {
  constructor(readonly kind: string) {
    super(`alert kind "${kind}" is defined by more than one catalog`);
  }
}

const PARTS: readonly AlertCatalog[] = [
  coreCatalog,
  blocklistAlerts,
  deviceAlerts,
  nameAlerts,
  trafficAlerts,
  configAlerts,
  storageAlerts,
  networkAlerts,
  serviceAlerts,
];

/** Merges partial catalogs; throws CatalogConflictError when a kind appears twice. */
export function buildCatalog(parts: readonly AlertCatalog[] = PARTS): AlertCatalog {
  const merged: AlertCatalog = {};
  for (const part of parts) {
    for (const [kind, texts] of Object.entries(part)) {
      if (Object.hasOwn(merged, kind)) throw new CatalogConflictError(kind);
      merged[kind] = texts;
    }
  }
  return merged;
}
