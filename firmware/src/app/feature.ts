// A feature is one capability plugged into the daemon (blocklist feeds, device inventory,
// traffic detectors). The daemon owns the lifecycle; a feature owns its timers, children
// and tables, and stop() leaves nothing running.
import type { Config } from '../config/schema.js';
import type { Provisioning } from '../config/provisioning.js';
import type { BasePolicy, BlocklistGroup } from '../nft/policy.js';
import type { NftDriver } from '../nft/driver.js';
import type { NetworkPlan } from '../policy/network.js';
import type { Db } from '../store/db.js';
import type { DeviceRef, Finding } from '../alerts/types.js';
import type { DeviceNaming, NameDevice } from '../alerts/naming.js';
import type { GroupInfo, PacketHit } from '../alerts/fromPacket.js';
import type { CaptureHub } from '../sensors/captureHub.js';
import type { Conditions } from './conditions.js';
import type { Handlers } from './commands.js';
import type { Logger } from './log.js';
import type { FeatureViews } from './views.js';

export interface FeatureContext {
  stateDir: string;
  config: Config;
  provisioning: Provisioning | null;
  base: BasePolicy;
  log: Logger;
  now: () => number;
  db: Db;
  nft: NftDriver;
  conditions: Conditions;
  deviceId: string;
  /** The box's one packet capture: a feature adds taps (UDP ports on interfaces) to it. */
  capture?: CaptureHub | undefined;
  /** The network plan of the last apply (null before the first one). */
  plan: () => NetworkPlan | null;
  /** Sends a finding through the alert pipeline (dedup, store, upstream). */
  raise: (f: Finding) => void;
  /** Re-renders the whole policy and applies it in one transaction. */
  requestApply: () => Promise<boolean>;
  /** How staff know an office device (from whichever feature knows it), for views that word alerts. */
  nameDevice?: NameDevice | undefined;
  /** Ends open connections that the lists now forbid (after an incremental set change;
   *  a full apply does it itself). Never rejects. */
  cutConnections?: () => Promise<void>;
}

export interface Feature {
  readonly id: string;
  /** Before the first apply: load persisted state only (no network, nothing slow). */
  init?(ctx: FeatureContext): Promise<void> | void;
  /** Blocklist groups this feature contributes to the ruleset (sets + rules). */
  groups?(): BlocklistGroup[];
  /** Allowlist entries this feature adds (validated address, prefix or range text). */
  allow?(): string[];
  /** MAC addresses whose traffic the ruleset must quarantine. */
  quarantine?(): string[];
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
  /** A logged packet from the sensors (NFLOG). */
  onPacket?(ev: PacketHit): void;
  /** A flow event from the sensors (conntrack via ulogd2 NFCT). */
  onFlow?(ev: unknown): void;
  /** How staff know an office device (label, hostname, maker, kind), for alert text. */
  nameDevice?(d: DeviceRef): DeviceNaming | undefined;
  /** Category and name of a blocklist group, for alert text. */
  describeGroup?(group: string, remoteIp: string): GroupInfo | undefined;
  /** A fragment of `utmctl status`. */
  status?(): Record<string, unknown>;
  /** View models for the page (plain data and narrow ports); webui/ renders them. */
  views?(): FeatureViews;
}
