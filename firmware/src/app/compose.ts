// The list of features utmd runs, built from config. Each feature is one capability; the
// daemon (daemon.ts) owns their lifecycle. Add a feature here, nowhere else.
import type { Config } from '../config/schema.js';
import type { Provisioning } from '../config/provisioning.js';
import { TrafficFeature } from '../traffic/feature.js';
import { join } from 'node:path';
import type { Feature } from './feature.js';
import { BlocklistFeature } from '../blocklist/feature.js';
import { DevicesFeature } from '../devices/feature.js';

export interface ComposeOptions {
  config: Config;
  provisioning: Provisioning | null;
  stateDir: string;
  /** The package root (for rules/ and webui/static). */
  root: string;
}

/** Builds the features in start order. */
export function composeFeatures(o: ComposeOptions): Feature[] {
  // The blocklist exposes no address → listing lookup yet; until it does, the traffic detectors
  // look addresses up in the config's local blocklist (TrafficOptions.listed documents the hook).
  return [
    new BlocklistFeature({ catalogPath: join(o.root, 'rules', 'feeds.json') }),
    new DevicesFeature({ root: o.root }),
    new TrafficFeature({ root: o.root }),
  ];
}
