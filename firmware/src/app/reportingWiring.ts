// Builds the upstream reporting (heartbeat, daily statistics, condition failures and
// recoveries, the silence rule) from the running daemon, kept out of daemon.ts so the
// composition root stays small. Messages go to the outbox sink; status comes from the forwarder.
import { join } from 'node:path';
import type { BlocklistFeature } from '../blocklist/feature.js';
import { FeedStatusRepo } from '../blocklist/repos.js';
import { AUDIT_KEEP, DevicesRepo } from '../devices/repo.js';
import type { UpstreamSink, UpstreamStatus } from '../upstream/contract.js';
import { LAST_GOOD_FILE } from '../sys/paths.js';
import type { Daemon } from './daemon.js';
import { Reporting } from './reporting.js';

/** The reporting for daemon `d` (its store must be open), telling `sink`, watching `status`. */
export function buildReporting(d: Daemon, sink: UpstreamSink, status: () => UpstreamStatus | null): Reporting {
  const db = d.db;
  const alerts = d.alerts;
  if (!db || !alerts) throw new Error('store not open');
  const feedStatus = new FeedStatusRepo(db);
  const devices = new DevicesRepo(db);
  const reporting = new Reporting({
    db, sink, status, conditions: d.conditions, alerts, config: d.o.config.reporting,
    now: d.now, log: d.o.log, lang: d.o.provisioning?.language ?? 'ja', text: d.o.text, startedAt: d.startedAt,
    rulesetFile: join(d.o.stateDir, LAST_GOOD_FILE),
    feeds: () => {
      const bl = d.features.find((f) => f.id === 'blocklist') as BlocklistFeature | undefined;
      return (bl?.feeds ?? []).filter((f) => f.enabled).map((f) => ({ id: f.id, lastSuccessAt: feedStatus.get(f.id).lastSuccessAt }));
    },
    devices: () => {
      const inv = devices.load(AUDIT_KEEP);
      return { devices: inv.devices, audit: inv.audit };
    },
  });
  return reporting;
}
