// Builds the upstream reporting (heartbeat, daily statistics, condition failures and
// recoveries, the silence rule) from the running daemon, kept out of daemon.ts so the
// composition root stays small. The sink and status come from the TEMPORARY outbox bridge
// until the delivery half's real UpstreamSink/UpstreamStatus replace them (one place: here).
import { join } from 'node:path';
import type { BlocklistFeature } from '../blocklist/feature.js';
import { FeedStatusRepo } from '../blocklist/repos.js';
import { AUDIT_KEEP, DevicesRepo } from '../devices/repo.js';
import { OutboxBridge } from '../upstream/outboxSink.js';
import { LAST_GOOD_FILE } from '../sys/paths.js';
import type { Daemon } from './daemon.js';
import { Reporting } from './reporting.js';

/** host:port, with brackets around an IPv6 host. */
export function peerText(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The sink, the status and the reporting for daemon `d` (its store must be open). */
export function buildReporting(d: Daemon): { reporting: Reporting; bridge: OutboxBridge } {
  const db = d.db;
  const outbox = d.outbox;
  const alerts = d.alerts;
  if (!db || !outbox || !alerts) throw new Error('store not open');
  const target = d.o.config.upstream ?? d.o.provisioning?.upstream;
  const bridge = new OutboxBridge({
    outbox, deviceId: d.deviceId, now: d.now, peer: target ? peerText(target.host, target.port) : null,
    stats: () => d.forwarder?.stats ?? null, onQueued: () => void d.forwarder?.drain(),
  });
  const feedStatus = new FeedStatusRepo(db);
  const devices = new DevicesRepo(db);
  const reporting = new Reporting({
    db, sink: bridge, status: () => bridge.status(), conditions: d.conditions, alerts, config: d.o.config.reporting,
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
  return { reporting, bridge };
}
