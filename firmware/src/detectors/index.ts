// The set of flow detectors the pipeline feeds: one record in, all detectors run, findings out.
// Pure apart from its own bounded window state; time comes only from the records and from the
// `now` passed to evict().
import type { Finding } from '../alerts/types.js';
import type { FlowRecord } from '../flows/parse.js';
import { z } from 'zod';
import { BeaconDetector, BeaconSnapshotSchema } from './beacon.js';
import { deviceKey, makeContext, type DetectorContext, type FlowDetector, type NameOf } from './context.js';
import { DeviceIds } from './deviceIds.js';
import { ActiveDevicesSnapshotSchema, OfficePopularity, PopularitySnapshotSchema, type ActiveDevicesSnapshot, type PopularitySnapshot } from './popularity.js';
import { OfficeNames, OfficeNamesSnapshotSchema } from './officeNames.js';
import { NameCacheSnapshotSchema, type NameCacheSnapshot } from '../dns/names.js';
import { materialized, Rows, type Deferred } from '../collections/rows.js';
import { DestinationRoutine, RoutineSnapshotSchema, type RoutineSnapshot } from './routine.js';
import { LongConnectionDetector, LongConnSnapshotSchema } from './longConn.js';
import { MailDetector } from './mail.js';
import { ScanDetector } from './scan.js';
import { ThreatIntelDetector, type BlockedAttempt, type ListedLookup } from './threatIntel.js';
import { AllowEntrySchema, clocked, type AllowEntry, type Thresholds } from './thresholds.js';
import { UploadDetector, UploadSnapshotSchema } from './upload.js';
import type { OperatorOf } from './serviceNetworks.js';

export interface DetectorSetDeps {
  thresholds: Thresholds;
  /** Blocklist lookup (hash-set backed; must be O(1)). */
  listed: ListedLookup;
  /** Reverse name lookup for allowlist entries with `names`, when a DNS sensor exists. */
  nameOf?: NameOf | undefined;
  /** Networks large operators publish (rules/service-networks.json, compileServiceNetworks): weaker evidence. */
  operatorOf?: OperatorOf | undefined;
  /** Allowlist entries from provisioning, e.g. collectorAllowEntry(ip). */
  extraAllow?: readonly AllowEntry[] | undefined;
  /** The DNS name sensor's memory behind `nameOf`, kept with the windows across a restart
   *  (a connection opened before it ends after it, and is judged by its name). */
  nameMemory?: { snapshotRows(now: number): Deferred<NameCacheSnapshot>; restore(s: NameCacheSnapshot): void } | undefined;
}

/** Allowlist entry for the provider's collector address (from provisioning). */
export function collectorAllowEntry(ip: string): AllowEntry {
  return AllowEntrySchema.parse({ name: 'upstream-collector', cidrs: [ip], detectors: ['beacon', 'long_connection', 'upload'] });
}

/** Detector windows kept across a restart (traffic/feature.ts writes them to the state dir). */
// Every part but `beacon` came later: a file written before a part still loads (that part starts over).
export const WindowSnapshotSchema = z.strictObject({
  version: z.literal(1), beacon: BeaconSnapshotSchema, routine: RoutineSnapshotSchema.optional(), popularity: PopularitySnapshotSchema.optional(),
  activeDevices: ActiveDevicesSnapshotSchema.optional(), upload: UploadSnapshotSchema.optional(), longConnection: LongConnSnapshotSchema.optional(),
  dnsNames: NameCacheSnapshotSchema.optional(), officeNames: OfficeNamesSnapshotSchema.optional(),
});
export type WindowSnapshot = z.infer<typeof WindowSnapshotSchema>;

export class DetectorSet {
  private readonly threat: ThreatIntelDetector;
  private readonly beacon: BeaconDetector;
  private readonly upload: UploadDetector;
  private readonly longConn: LongConnectionDetector;
  private readonly all: FlowDetector[];
  private readonly evictEvery: number;
  private readonly nameOf: NameOf | undefined;
  /** Which destinations (networks, names) the office uses widely: evidence against a finding. */
  private readonly popularity: OfficePopularity;
  /** Names the office looked up, by network and by device: evidence that a destination is a known service. */
  private readonly names: OfficeNames | undefined;
  private readonly nameMemory: DetectorSetDeps['nameMemory'];
  /** On which days each device used each destination network: its routine, evidence against a check-in. */
  private readonly routine: DestinationRoutine;
  /** Device keys as small numbers, shared by the window tables (no string per entry). */
  private readonly deviceIds = new DeviceIds();
  /** Findings produced per detector since construction (status page, bench). */
  readonly produced: Record<string, number> = {};

  /** Build every detector from validated thresholds; throws CidrError on a bad prefix in them. */
  constructor(deps: DetectorSetDeps) {
    const c = clocked(deps.thresholds);
    this.evictEvery = c.minutes(10);
    this.nameOf = deps.nameOf;
    this.nameMemory = deps.nameMemory;
    const lc = c.t.longConnection;
    const nameOf = deps.nameOf;
    const watched = [...c.t.allowlist, ...(deps.extraAllow ?? [])].filter((e) => e.appPorts.length > 0).flatMap((e) => e.names);
    this.names = nameOf ? new OfficeNames(c.t.caps.destinations, c.t.caps.devices, c.hours(lc.popularityHours), nameOf, watched) : undefined;
    const base = makeContext(c, deps.extraAllow ?? [], deps.nameOf, this.names);
    this.popularity = new OfficePopularity(c.t.caps.destinations, lc.maxDevices + 1, c.hours(lc.popularityHours), deps.nameOf, this.deviceIds);
    this.routine = new DestinationRoutine(c.t.caps.beaconPairs, c.t.timezoneOffsetMinutes, this.deviceIds);
    const ctx: DetectorContext = {
      ...base,
      usedBy: (f) => this.popularity.devices(f.remoteIp, f.end),
      routine: (f) => this.routine.evidence(deviceKey(f), f.remoteIp, f.end),
      operatorOf: deps.operatorOf,
      officeDevices: (now) => this.popularity.officeDevices(now),
    };
    this.threat = new ThreatIntelDetector(ctx, deps.listed);
    this.beacon = new BeaconDetector(ctx, this.deviceIds);
    this.upload = new UploadDetector(ctx);
    this.longConn = new LongConnectionDetector(ctx, this.deviceIds);
    this.all = [this.threat, this.beacon, new MailDetector(ctx), new ScanDetector(ctx), this.upload, this.longConn];
    for (const d of this.all) this.produced[d.name] = 0;
  }

  /** Feed one parsed flow record to every detector; returns the findings it completes. */
  onFlow(flow: FlowRecord): Finding[] {
    this.popularity.note(flow, deviceKey(flow));
    this.names?.note(flow, deviceKey(flow));
    this.routine.note(flow, deviceKey(flow));
    let out: Finding[] | undefined;
    for (const d of this.all) {
      const f = d.onFlow(flow);
      if (f.length > 0) {
        this.produced[d.name] = (this.produced[d.name] ?? 0) + f.length;
        (out ??= []).push(...f);
      }
    }
    if (out) this.name(out);
    return out ?? [];
  }

  /** Adds the remote's DNS name (when the name sensor knows it) to each finding, in one place
   *  for every detector: `evidence.remoteName` always, `params.remoteName` when the message
   *  shows the remote address (the catalog then names it beside the address). */
  private name(findings: Finding[]): void {
    if (!this.nameOf) return;
    for (const f of findings) {
      if (!f.remote) continue;
      const n = this.nameOf(f.remote.ip);
      if (n === undefined) continue;
      f.evidence['remoteName'] = n;
      if (f.params['remote'] !== undefined) f.params['remoteName'] = n;
    }
  }

  /** Feed one blocked attempt (NFLOG drop of a listed address). */
  onBlocked(ev: BlockedAttempt): Finding[] {
    const f = this.threat.onBlocked(ev);
    this.produced[this.threat.name] = (this.produced[this.threat.name] ?? 0) + f.length;
    this.name(f);
    return f;
  }

  private lastEvict = -Infinity;

  /** Drop window state older than each detector's window. Call as often as you like with event
   *  time (e.g. every minute); the full sweeps run at most once per 10 scaled minutes. */
  evict(now: number): void {
    if (now - this.lastEvict < this.evictEvery) return;
    this.lastEvict = now;
    for (const d of this.all) d.evict(now);
    this.popularity.evict(now);
    this.names?.evict(now);
    this.routine.evict(now);
  }

  /** Window state worth keeping across a restart (the beacon window: a day of connections, each
   *  device's persistent rare channels; each device's routine destinations: a month of days; which
   *  devices used each network and name, and which were active; each device's upload history: two
   *  weeks of hours; which devices used each address for long connections). The scan, mail and
   *  threat-intel windows (an hour at most) start over: see README, "Window state survives a restart". */
  snapshot(now: number): WindowSnapshot {
    const p = this.snapshotParts(now);
    return {
      version: p.version(), beacon: materialized(p.beacon()), routine: materialized<RoutineSnapshot>(p.routine()),
      popularity: materialized<PopularitySnapshot>(p.popularity()), activeDevices: materialized<ActiveDevicesSnapshot>(p.activeDevices()),
      upload: materialized(p.upload()), longConnection: materialized(p.longConnection()),
      dnsNames: materialized<NameCacheSnapshot>(p.dnsNames()), officeNames: materialized(p.officeNames()),
    };
  }

  /** The same snapshot part by part, each part's scalars taken when its function is called and its
   *  tables read row by row when written (collections/rows.ts): at the traffic bench's scale the
   *  whole takes most of a second, so the saver writes it in slices between turns of the event loop. */
  snapshotParts(now: number): { [K in keyof WindowSnapshot]-?: () => Deferred<NonNullable<WindowSnapshot[K]>> } {
    return {
      version: () => 1, beacon: () => this.beacon.snapshotRows(now), routine: () => this.routine.snapshotRows(now),
      popularity: () => this.popularity.snapshotRows(now), activeDevices: () => this.popularity.snapshotDevicesRows(now),
      upload: () => this.upload.snapshotRows(now), longConnection: () => this.longConn.snapshotRows(now),
      dnsNames: () => this.nameMemory?.snapshotRows(now) ?? Rows.empty(),
      officeNames: () => this.names?.snapshotRows(now) ?? { nets: [], devices: [] },
    };
  }

  /** Takes back a snapshot kept before a restart; throws ZodError on a malformed one. */
  restore(raw: unknown): void {
    const s = WindowSnapshotSchema.parse(raw);
    this.beacon.restore(s.beacon);
    if (s.routine) this.routine.restore(s.routine);
    if (s.popularity) this.popularity.restore(s.popularity);
    if (s.activeDevices) this.popularity.restoreDevices(s.activeDevices);
    if (s.upload) this.upload.restore(s.upload);
    if (s.longConnection) this.longConn.restore(s.longConnection);
    if (s.dnsNames) this.nameMemory?.restore(s.dnsNames);
    if (s.officeNames) this.names?.restore(s.officeNames);
  }

  /** Entries held per detector. */
  sizes(): Record<string, number> {
    return Object.fromEntries(this.all.map((d) => [d.name, d.size()]));
  }
}

export type { BlockedAttempt, Listing, ListedLookup } from './threatIntel.js';
