// The first of a few dirs that takes writes. utmd hands its children their files (nft's
// documents, dnsmasq's and ulogd2's configs) through the unit's runtime dir, a tmpfs on /run
// that every service of the box shares: another one may fill it. Then the state dir serves
// instead, slower flash but the office keeps its ruleset, DHCP and sensors.
import { isStorageError } from '../errors/storageError.js';

/**
 * Runs `use(dir)` for the first of `dirs` (duplicates dropped) where it does not fail with a
 * storage error (ENOSPC, EROFS, …; errors/storageError.ts); `use` cleans up what it wrote
 * before it throws. `onSkip(dir, e)` hears of each dir given up. Another error, or the last
 * dir's, is thrown.
 */
export async function inWritableDir<T>(dirs: readonly string[], use: (dir: string) => T | Promise<T>, onSkip?: (dir: string, e: unknown) => void): Promise<T> {
  const list = [...new Set(dirs)];
  for (const [i, dir] of list.entries()) {
    try {
      return await use(dir);
    } catch (e) {
      if (i === list.length - 1 || !isStorageError(e)) throw e;
      onSkip?.(dir, e);
    }
  }
  throw new Error('inWritableDir: no dir given');
}
