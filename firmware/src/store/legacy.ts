// The schema version scheme before migrations had ids: SQLite's `user_version` counted how
// many of one global list had run. That list is frozen here as ids, in its old order, so a
// database made by older firmware (user_version = N: the first N of this list ran) is
// adopted without running anything again. user_version is still kept for older firmware
// (rollback to the other slot): while the applied migrations are exactly a prefix of this
// list it says how long that prefix is, so older firmware opens the file as before; once
// anything else has run it holds IDS_TRACKED, which older firmware refuses ("newer than this
// utmd") instead of running its migrations over tables that exist.
//
// Append only, and only a migration that was merged under the old scheme (it then sat at this
// position of the old MIGRATIONS list); a migration added under ids is never listed here.

/** The old MIGRATIONS list, as ids, in its order. */
export const LEGACY_ORDER: readonly string[] = [
  'core/001',
  'blocklist/002',
  'devices/003',
  'alerts/004',
  'upstream/005',
  'upstream/006',
  'report/007',
  'alerts/009',
  'traffic/012',
];

/** user_version once the applied migrations are no longer a prefix of the old list. */
export const IDS_TRACKED = 1_000_000;

/** The ids a database at old-scheme `userVersion` has applied, or null when `userVersion` is
 *  not an old-scheme count (IDS_TRACKED, or a count beyond the list: newer old-scheme firmware). */
export function legacyApplied(userVersion: number): readonly string[] | null {
  if (!Number.isInteger(userVersion) || userVersion < 0 || userVersion > LEGACY_ORDER.length) return null;
  return LEGACY_ORDER.slice(0, userVersion);
}

/** The user_version to keep for older firmware, given every applied id. */
export function userVersionFor(applied: ReadonlySet<string>): number {
  let k = 0;
  for (const id of LEGACY_ORDER) {
    if (!applied.has(id)) break;
    k++;
  }
  return applied.size === k ? k : IDS_TRACKED;
}
