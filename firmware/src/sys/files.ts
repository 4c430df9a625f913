// Small file helpers for the state dir: atomic replace, so a crash leaves old or new, never half.
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A file written and synced under a temporary name, not yet in place. */
export interface PreparedFile {
  /** Renames it into place (the old content is replaced atomically). Throws on I/O errors. */
  commit(): Promise<void>;
  /** Removes the temporary file; never throws. */
  discard(): Promise<void>;
}

/** Writes `data` beside `path` under a temporary name and fsyncs it, leaving `path` as it
 *  was until `commit()`: the slow part of an atomic replace (the write and the fsync) can
 *  then run while something else happens, e.g. the nft transaction the file records.
 *  Throws on I/O errors (the temporary file removed). */
export async function prepareAtomic(path: string, data: string | Buffer, mode = 0o600): Promise<PreparedFile> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`; // app/stateDir.ts removes leftovers by this name
  const discard = (): Promise<void> => rm(tmp, { force: true }).catch(() => undefined);
  try {
    const fh = await open(tmp, 'w', mode);
    try {
      await fh.chmod(mode); // a leftover temp file keeps its old mode through open(…, 'w')
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    // A full disk must not leave a half-written temp file taking the space that is left.
    await discard();
    throw e;
  }
  return {
    commit: async () => {
      try {
        await rename(tmp, path);
      } catch (e) {
        await discard();
        throw e;
      }
    },
    discard,
  };
}

/** Writes `data` to `path` via a temp file, fsync and rename. Throws on I/O errors. */
export async function writeAtomic(path: string, data: string | Buffer, mode = 0o600): Promise<void> {
  await (await prepareAtomic(path, data, mode)).commit();
}
