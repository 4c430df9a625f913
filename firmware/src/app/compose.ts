// The list of features utmd runs, built from config, and the view models they hand the page.
// Each feature is one capability; the daemon (daemon.ts) owns their lifecycle. Add a feature
// here, nowhere else.
import type { Config } from '../config/schema.js';
import type { Provisioning } from '../config/provisioning.js';
import { localListed, TrafficFeature } from '../traffic/feature.js';
import { listedFromBlocklist } from '../traffic/listed.js';
import { join } from 'node:path';
import type { Feature } from '../feature/contract.js';
import { BlocklistFeature } from '../blocklist/feature.js';
import { DevicesFeature } from '../devices/feature.js';
import type { FeatureViews } from '../../../webui/src/index.js';

export interface ComposeOptions {
  config: Config;
  provisioning: Provisioning | null;
  stateDir: string;
  /** The package root (for rules/ and webui/static). */
  root: string;
}

export interface Composition {
  /** The features in start order. */
  features: Feature[];
  /** Their view models for the page, in the same order (call after init). */
  views: () => FeatureViews[];
}

/** Builds the features in start order. */
export function composeFeatures(o: ComposeOptions): Composition {
  const blocklist = new BlocklistFeature({ catalogPath: join(o.root, 'rules', 'feeds.json') });
  const devices = new DevicesFeature({ root: o.root });
  // Threat-intel contact asks the blocklist's hit index which feed lists an address.
  // … and names flow devices by MAC from the inventory when the neighbour table lacks them.
  const traffic = new TrafficFeature({
    root: o.root, listed: listedFromBlocklist(blocklist, localListed(o.config.blocklist.local)), devices: () => devices.list().devices,
  });
  return {
    features: [blocklist, devices, traffic],
    views: () => [{ devices: devices.views() }, { incidents: traffic.views() }],
  };
}
