// The list of features utmd runs, built from config. Each feature is one capability; the
// daemon (daemon.ts) owns their lifecycle. Add a feature here, nowhere else.
import type { Config } from '../config/schema.js';
import type { Provisioning } from '../config/provisioning.js';
import { TrafficFeature } from '../traffic/feature.js';
import type { Feature } from './feature.js';

export interface ComposeOptions {
  config: Config;
  provisioning: Provisioning | null;
  stateDir: string;
  /** The package root (for rules/ and webui/static). */
  root: string;
}

/** Builds the features in start order. */
export function composeFeatures(o: ComposeOptions): Feature[] {
  // The blocklist feature (feeds) will pass `listed: (ip) => feeds.lookupListed(ip)` here.
  const traffic = new TrafficFeature({ root: o.root });
  return [traffic];
}
