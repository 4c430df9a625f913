// Absolute paths of system programs. Never rely on PATH for these: under npm/npx, PATH
// starts with node_modules/.bin, which holds an unrelated `nft` (@vercel/nft, via ava).
import { existsSync } from 'node:fs';

const DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The absolute path of a system program, or the bare name if it is not installed. */
export function systemBin(name: string): string {
  for (const d of DIRS) {
    const p = `${d}/${name}`;
    if (existsSync(p)) return p;
  }
  return name;
}
