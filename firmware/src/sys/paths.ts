// Where the installed package lives (for rules/ and webui/static), from src or from dist.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
export const DEFAULT_CONFIG = '/etc/otasuke-utm/config.json';
export const DEFAULT_PROVISIONING = '/etc/otasuke-utm/provisioning.json';
/** The last-good ruleset inside the state dir; image/systemd/utmd-restore.service names it too. */
export const LAST_GOOD_FILE = 'ruleset.last-good.json';

/** Sub-directory of the state dir that dnsmasq's own user writes its leases and pid into
 *  (root-owned 0750, group of that user: devices/dnsmasqUser.ts sets its modes). */
export const DNSMASQ_DIR = 'dnsmasq';
