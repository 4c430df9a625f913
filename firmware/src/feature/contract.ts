// The feature contract: one capability plugged into utmd (blocklist feeds, device inventory,
// traffic detectors). The composition root owns the lifecycle; a feature owns its timers,
// children and tables, and stop() leaves nothing running. A feature is handed scoped
// capabilities, not the daemon's parts: its own migrations and repositories, the ruleset's
// set operations (nft/backend.ts), a condition port, and typed sensor events.
import type { Config } from '../config/schema.js';
import type { Provisioning } from '../config/provisioning.js';
import type { BasePolicy, BlocklistGroup } from '../nft/policy.js';
import type { RulesetSets } from '../nft/backend.js';
import type { NetworkPlan } from '../policy/network.js';
import type { Db } from '../store/db.js';
import type { Migration } from '../store/migration.js';
import type { DeviceRef, Finding } from '../alerts/types.js';
import type { DeviceNaming, NameDevice } from '../alerts/naming.js';
import type { CaptureHub } from '../sensors/captureHub.js';
import type { GroupInfo } from '../alerts/fromPacket.js';
import type { FlowEvent, PacketLogEvent } from '../sensors/events.js';
import type { Logger } from '../sys/log.js';

/** Control-socket commands (utmctl): name → handler of validated-by-the-handler args. */
export type Handlers = Record<string, (args: Record<string, unknown>) => unknown>;

/** Where a feature reports its health (a failed one is shown and alerted: app/health.ts). */
export interface ConditionPort {
  set(id: string, ok: boolean, detail?: string): void;
}

/** A blocklist group with what alert text needs to say about a hit on it. */
export interface FeatureGroup {
  /** What the ruleset renders (sets, rules, log prefix). */
  rules: BlocklistGroup;
  /** Which list a hit on this group to or from `remoteIp` came from (category and name). */
  describe(remoteIp: string): GroupInfo;
}

export interface FeatureContext<R = unknown> {
  stateDir: string;
  config: Config;
  provisioning: Provisioning | null;
  /** Table name and log prefix of the ruleset. */
  base: BasePolicy;
  log: Logger;
  now: () => number;
  /** This feature's repositories, as its repositories() built them. */
  repos: R;
  /** Incremental changes to our sets, and listings of them. */
  ruleset: RulesetSets;
  conditions: ConditionPort;
  deviceId: string;
  /** The network plan of the last apply (null before the first one). */
  plan: () => NetworkPlan | null;
  /** Sends a finding through the alert pipeline (dedup, store, upstream). */
  raise: (f: Finding) => void;
  /** Re-renders the whole policy and applies it in one transaction (queued). */
  requestApply: () => Promise<boolean>;
  /** The box's one packet capture: a feature adds taps (UDP ports on interfaces) to it. */
  capture?: CaptureHub | undefined;
  /** How staff know an office device (from whichever feature knows it), for views that word alerts. */
  nameDevice?: NameDevice | undefined;
  /** Counts `e` as a failed write to the state dir (the page's `storage` condition; what it
   *  could not write is the feature's to keep) and returns true when it is one (a full disk);
   *  false for any other error. */
  storageFailed?: (e: unknown, where: string) => boolean;
  /** Ends open connections that the lists now forbid (after an incremental set change;
   *  a full apply does it itself). Never rejects. */
  cutConnections?: () => Promise<void>;
}

export interface Feature<R = unknown> {
  readonly id: string;
  /** The tables this feature brings: its migrations (ids `<feature id>/<NNN>`), run by the store
   *  when it opens, before repositories(). */
  readonly migrations?: readonly Migration[];
  /** The feature's repositories over the open store: the one place it sees the database. */
  repositories?(db: Db): R;
  /** Before the first apply: load persisted state only (no network, nothing slow). */
  init?(ctx: FeatureContext<R>): Promise<void> | void;
  /** Blocklist groups this feature contributes to the ruleset, each with its description. */
  groups?(): FeatureGroup[];
  /** Allowlist entries this feature adds (validated address, prefix or range text). */
  allow?(): string[];
  /** MAC addresses whose traffic the ruleset must quarantine. */
  quarantine?(): string[];
  /** The addresses the feature knows for quarantined MACs (the cutter ends their open
   *  connections; bridge mode checks IP traffic on new connections only). */
  quarantinedAddresses?(): { mac: string; ipv4?: string; ipv6?: string }[];
  /** After the first apply, before the sensors deliver anything: read what judging the first
   *  event needs (e.g. the neighbour table, so the first flow's device has its MAC). */
  prepare?(): Promise<void> | void;
  /** After the first apply: timers, child processes, sockets. */
  start?(): Promise<void> | void;
  /** The network plan changed while running (ports re-worked out): move port-bound services. */
  onPlan?(plan: NetworkPlan): Promise<void> | void;
  /** Stops everything start() began. */
  stop?(): Promise<void> | void;
  /** Control-socket commands (utmctl). Names are `<feature>.<verb>`. */
  handlers?(): Handlers;
  /** A logged packet from the sensors (NFLOG), typed by the listener. */
  onPacket?(ev: PacketLogEvent): void;
  /** A conntrack flow from the sensors (NFCT through ulogd2), typed by the listener. */
  onFlow?(ev: FlowEvent): void;
  /** How staff know an office device (label, hostname, maker, kind), for alert text. */
  nameDevice?(d: DeviceRef): DeviceNaming | undefined;
  /** A fragment of `utmctl status`. */
  status?(): Record<string, unknown>;
}
