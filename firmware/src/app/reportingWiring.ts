// Builds the upstream reporting (heartbeat, daily statistics, condition failures and
// recoveries, the silence rule) from the open store, kept out of the composition root so it
// stays small. Messages go to the outbox sink; status comes from the forwarder.
import { join } from 'node:path';
import { BlocklistFeature } from '../blocklist/feature.js';
import { FeedStatusRepo } from '../blocklist/repos.js';
import { AUDIT_KEEP, DevicesRepo } from '../devices/repo.js';
import { LAST_GOOD_FILE } from '../sys/paths.js';
import type { Feature } from '../feature/contract.js';
import { Reporting, type ReportingDeps } from './reporting.js';

/** What the reporting is built from: the open store, the state dir and the running features. */
export interface ReportingWiring extends Omit<ReportingDeps, 'rulesetFile' | 'feeds' | 'devices'> {
  stateDir: string;
  features: readonly Feature[];
}

/** The blocklist feature among `features`, if it runs. */
function blocklistOf(features: readonly Feature[]): BlocklistFeature | undefined {
  return features.find((f) => f instanceof BlocklistFeature);
}

/** The reporting for the open store in `w`. */
export function buildReporting(w: ReportingWiring): Reporting {
  const { stateDir, features, ...deps } = w;
  const feedStatus = new FeedStatusRepo(deps.db);
  const devices = new DevicesRepo(deps.db);
  return new Reporting({
    ...deps,
    rulesetFile: join(stateDir, LAST_GOOD_FILE),
    feeds: () => (blocklistOf(features)?.feeds ?? []).filter((f) => f.enabled).map((f) => ({ id: f.id, lastSuccessAt: feedStatus.get(f.id).lastSuccessAt })),
    devices: () => {
      const inv = devices.load(AUDIT_KEEP);
      return { devices: inv.devices, audit: inv.audit };
    },
  });
}
