// Reads what `utmctl update status` shows from the box itself (no daemon needed): RAUC's own
// status, the ESP's boot entries, the release file, and the update folder in the state dir.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../sys/run.js';
import { buildUpdateStatus, parseRelease, RaucStatusSchema, type RaucStatus, type UpdateStatus } from './status.js';
import { errnoCode, errorMessage } from '../errors/errorText.js';

export interface UpdatePaths {
  release: string;
  entries: string;
  updateDir: string;
}
export const DEFAULT_UPDATE_PATHS: UpdatePaths = { release: '/etc/otasuke-release', entries: '/efi/loader/entries', updateDir: '/var/lib/otasuke-utm/update' };

async function readText(path: string, max = 64 * 1024): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).slice(-max);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return null;
    throw e;
  }
}

/** Collects the update status; parts that cannot be read are named in `problems`, never thrown. */
export async function readUpdateStatus(paths: UpdatePaths = DEFAULT_UPDATE_PATHS): Promise<UpdateStatus> {
  const problems: string[] = [];
  let rauc: RaucStatus | null = null;
  try {
    const r = await run(['rauc', 'status', '--detailed', '--output-format=json'], { timeoutMs: 30_000, maxOutput: 1 << 20 });
    const parsed = RaucStatusSchema.safeParse(JSON.parse(r.stdout));
    if (parsed.success) rauc = parsed.data;
    else problems.push(`rauc status: unexpected output (${parsed.error.issues[0]?.message ?? ''})`);
  } catch (e) {
    problems.push(`rauc status failed: ${errorMessage(e).slice(0, 300)}`);
  }
  let entries: string[] = [];
  try {
    entries = await readdir(paths.entries);
  } catch (e) {
    problems.push(`boot entries unreadable (${paths.entries}): ${errnoCode(e) ?? errorMessage(e)}`);
  }
  const floor = (await readText(join(paths.updateDir, 'version-floor'), 128))?.trim() || null;
  return buildUpdateStatus({
    release: parseRelease((await readText(paths.release, 4096)) ?? ''),
    rauc,
    entries,
    floor,
    healthLog: (await readText(join(paths.updateDir, 'health.log'))) ?? '',
    problems,
  });
}
