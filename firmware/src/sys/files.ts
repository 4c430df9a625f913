// Small file helpers for the state dir: atomic replace, so a crash leaves old or new, never half.
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Writes `data` to `path` via a temp file, fsync and rename. Throws on I/O errors. */
export async function writeAtomic(path: string, data: string | Buffer, mode = 0o600): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w', mode);
  try {
    try {
      await fh.chmod(mode); // a leftover temp file keeps its old mode through open(…, 'w')
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    // A full disk must not leave a half-written temp file taking the space that is left.
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
