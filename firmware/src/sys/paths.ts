// Where the installed package lives (for rules/ and webui/static), from src or from dist.
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding our package.json, found by walking up from this file. */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'rules'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`cannot find the package root above ${from}`);
}

export const DEFAULT_STATE_DIR = '/var/lib/otasuke-utm';
/** The unit's RuntimeDirectory (image/systemd/utmd.service): utmctl looks for utmd's control
 *  socket here when the state dir has none (utmd listens here when the state dir cannot be written). */
export const DEFAULT_RUNTIME_DIR = '/run/otasuke-utm';
export const DEFAULT_CONFIG = '/etc/otasuke-utm/config.json';
export const DEFAULT_PROVISIONING = '/etc/otasuke-utm/provisioning.json';
/** The last-good ruleset inside the state dir; image/systemd/utmd-restore.service names it too. */
export const LAST_GOOD_FILE = 'ruleset.last-good.json';

/** Where short-lived work files go (nft's transaction documents, up to ~15 MB at a 1M-entry
 *  load): the unit's RuntimeDirectory (/run/otasuke-utm, a tmpfs; systemd names it in
 *  RUNTIME_DIRECTORY), else `fallback` (the state dir: utmd run by hand, the lab). On the
 *  state dir's disk a 15 MB document took 40 ms to write, on the tmpfs 5 ms (blocklist
 *  benchmark, README), and flash memory is not worn by a file deleted a second later. */
export function scratchDir(fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = env['RUNTIME_DIRECTORY']?.split(':')[0];
  if (!dir || !isAbsolute(dir)) return fallback;
  try {
    return statSync(dir).isDirectory() ? dir : fallback;
  } catch {
    return fallback; // named but absent (a unit file edited by hand): the state dir still works
  }
}

/** Sub-directory of the state dir that dnsmasq's own user writes its leases and pid into
 *  (root-owned 0750, group of that user: devices/dnsmasqUser.ts sets its modes). */
export const DNSMASQ_DIR = 'dnsmasq';
