// Small file helpers for the state dir: atomic replace, so a crash leaves old or new, never half.
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Writes `data` to `path` via a temp file, fsync and rename. Throws on I/O errors. */
export async function writeAtomic(path: string, data: string | Buffer, mode = 0o600): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}
