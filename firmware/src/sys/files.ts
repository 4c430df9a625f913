// Small file helpers for the state dir: atomic replace, so a crash leaves old or new, never half.
import { closeSync, fchmodSync, fsync, openSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** mkdir -p that tells why: Node's recursive mkdir says ENOENT for a new dir on a read-only
 *  file system (Node 20); a plain mkdir of the last part then gives the true code (EROFS),
 *  which callers treat as a storage error (errors/storageError.ts). */
export async function makeDir(dir: string, mode = 0o700): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    try {
      await mkdir(dir, { mode }); // throws the true code (or ENOENT: the parent is missing indeed)
    } catch (plain) {
      if ((plain as NodeJS.ErrnoException).code !== 'EEXIST') throw plain;
    }
  }
}

/** Writes `data` to `path` via a temp file, fsync and rename; `data` may come in pieces (each
 *  written when it comes: a large file made between turns of the event loop). Throws on I/O errors. */
export async function writeAtomic(path: string, data: string | Buffer | AsyncIterable<string>, mode = 0o600): Promise<void> {
  await (await prepareAtomic(path, data, mode)).commit();
}

/** A file written and synced beside its place, not yet in it (prepareAtomic). */
export interface PreparedFile {
  /** Renames it into place. */
  commit(): Promise<void>;
  /** Removes it; `path` keeps what it held. Never throws. */
  discard(): Promise<void>;
}

/** writeAtomic's first half: the temp file written and fsynced, so a full disk or an I/O error
 *  shows here (and throws, leaving no temp file), before whatever the new content depends on
 *  is done; then commit() or discard(). */
export async function prepareAtomic(path: string, data: string | Buffer | AsyncIterable<string>, mode = 0o600): Promise<PreparedFile> {
  const tmp = `${path}.tmp-${process.pid}`;
  const discard = (): Promise<void> => rm(tmp, { force: true }).catch(() => undefined);
  try {
    if ((typeof data === 'string' || Buffer.isBuffer(data)) && data.length <= SYNC_WRITE_MAX) await writeSmall(tmp, data, mode);
    else await writeLarge(tmp, data, mode);
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

/** Data up to this length goes to its temp file in synchronous calls (tens of µs; the dir made
 *  only when it is missing): only the fsync waits off the main thread. Each awaited file call
 *  waits for a thread of libuv's pool, then for a turn of the main thread: while nft worked on
 *  the other core of this 2-core machine, the write-ahead of a 1% update's snapshot (mkdir,
 *  open, chmod, write) took 3–6 ms to reach its fsync, which then ended after nft's answer
 *  (100k bench, 2026-12-06). */
const SYNC_WRITE_MAX = 256 * 1024;

async function writeSmall(tmp: string, data: string | Buffer, mode: number): Promise<void> {
  let fd: number;
  try {
    fd = openSync(tmp, 'w', mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    await makeDir(dirname(tmp));
    fd = openSync(tmp, 'w', mode);
  }
  try {
    fchmodSync(fd, mode); // a leftover temp file keeps its old mode through open(…, 'w')
    writeFileSync(fd, data);
    await new Promise<void>((resolve, reject) => fsync(fd, (e) => (e ? reject(e) : resolve())));
  } finally {
    closeSync(fd);
  }
}

async function writeLarge(tmp: string, data: string | Buffer | AsyncIterable<string>, mode: number): Promise<void> {
  await makeDir(dirname(tmp));
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.chmod(mode);
    if (typeof data === 'string' || Buffer.isBuffer(data)) await fh.writeFile(data);
    else for await (const piece of data) await writeAll(fh, Buffer.from(piece));
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes all of `b` at the file's position (a write may take less than it was given). */
async function writeAll(fh: FileHandle, b: Buffer): Promise<void> {
  for (let off = 0; off < b.length;) off += (await fh.write(b, off, b.length - off)).bytesWritten;
}
