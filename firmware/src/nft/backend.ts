// The ruleset backend: the one small interface through which the daemon and its features
// change and read our nft tables (in the spirit of cs-firewall-bouncer's backends). The real
// one is NftDriver (nft/driver.ts); DryRunBackend (nft/dryRun.ts) keeps everything in memory
// for tests and for rendering without a kernel.
import type { NftDocument } from './json.js';

/** What one full apply did (NftDriver reports the phases' times). */
export interface ApplyReport {
  /** Dynamic sets left in place with their elements (`family name`). */
  kept: string[];
  checkedMs: number;
  appliedMs: number;
  verifiedMs: number;
  /** The kernel took the document, but its last-good copy could not be written (a full state
   *  dir): why. The older last-good stays whole on disk; saveLastGood() tries again. */
  unsaved?: Error;
}

/** The part features use: incremental set changes and listings of our own sets. */
export interface RulesetSets {
  /** The name of our tables (`inet <table>`, `bridge <table>`). */
  readonly table: string;
  /** Runs one batch of element commands (add/create/delete element, flush set) as one nft
   *  transaction: all of it or nothing. Throws NftError when nft refuses it. `started`, if
   *  given, is called once nft has the whole document and works on it (not when it never got
   *  that far): userspace work started then overlaps nft's instead of delaying its start. */
  transact(doc: string | Uint8Array, started?: () => void): Promise<void>;
  /** The same for a small batch written in nft's own syntax (one command a line): faster
   *  through the long-lived nft (nft/driver.ts). Resolves false, having done nothing, where
   *  it cannot go that way: then send the batch to transact as JSON. */
  transactNative?(text: string, started?: () => void): Promise<boolean>;
  /** Runs documents that only add elements to sets nothing looks up yet (a staged load,
   *  blocklist/stagedLoad.ts), each as a transaction of its own, at the same time where the
   *  backend can (nft processes of their own); resolves once all are taken. Each part's
   *  document is made (`parts[i]()`, null: nothing to add) when its turn comes. `started`:
   *  once every one is running. Throws NftError (the first refusal) once all ended. Absent:
   *  the caller sends them one by one through transact. */
  fill?(parts: ReadonlyArray<() => Uint8Array | null>, started?: () => void): Promise<void>;
  /** Gets ready for a fill ahead of it, at a quiet moment (while a large first download arrives). */
  prepareFill?(): void;
  /** Into how many documents a staged load is best cut (fill's processes at once). */
  readonly fillParts?: number;
  /** One of our sets with its elements, as `nft -j list set FAMILY TABLE NAME` prints it.
   *  Throws NftError (e.g. the set does not exist). */
  listSet(family: 'inet' | 'bridge', set: string): Promise<string>;
  /** Runs `fn` as one ruleset change, in its turn of the daemon's apply queue: no full apply
   *  or other change runs between its steps (write, count check, bookkeeping). Inside `fn`
   *  this backend is used as usual. */
  change<T>(fn: () => Promise<T>): Promise<T>;
}

/** The whole backend: what the apply path needs on top of the features' part. */
export interface RulesetBackend extends RulesetSets {
  /** Applies a complete document in one transaction, reads it back, verifies it and keeps it
   *  as last-good; sets named in `keepSets` keep their elements. On failure the previous
   *  ruleset stays and NftError is thrown. */
  apply(doc: NftDocument, keepSets?: readonly string[]): Promise<ApplyReport>;
  /** Validates a document without applying it. Throws NftError. */
  check(doc: NftDocument | string): Promise<void>;
  /** Our tables as the kernel holds them, without set elements. */
  readBack(): Promise<{ nftables: unknown[] }>;
  /** Writes the last-good copy an apply could not (its report's `unsaved`); nothing when none
   *  is pending. Throws the write's error. */
  saveLastGood(): Promise<void>;
  /** Re-applies the last-good document; false when there is none. */
  restoreLastGood(): Promise<boolean>;
  /** Ends what the backend keeps running (the long-lived nft); the daemon's last stop step. */
  close(): Promise<void>;
}
