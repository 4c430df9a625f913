// Set kernel sysctls by writing /proc/sys (per network namespace for net.*), after checking
// each name against a whitelist pattern and each value against a plain-value pattern, then
// reading the value back. utmd uses it at start for conntrack accounting and timestamps.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The sysctls utmd sets at start so conntrack flow events carry bytes and times. */
export const CONNTRACK_SYSCTLS: Readonly<Record<string, string>> = {
  'net.netfilter.nf_conntrack_acct': '1',
  'net.netfilter.nf_conntrack_timestamp': '1',
};

// Only the subtrees utmd has a reason to touch; names are dotted lowercase identifiers.
const NAME = /^net\.(netfilter|bridge|ipv4|ipv6|core)(\.[a-z0-9_-]{1,64}){1,4}$/;
const VALUE = /^[0-9A-Za-z_.:-]{1,64}$/;

export class SysctlError extends Error {
  constructor(message: string, readonly name_: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SysctlError';
  }
}

/** True when `name` is a sysctl name utmd may set. */
export function isAllowedSysctl(name: string): boolean {
  return NAME.test(name) && !name.includes('..');
}

/** /proc/sys path for `name` under `procRoot` (default /proc/sys). Throws SysctlError if not allowed. */
export function sysctlPath(name: string, procRoot = '/proc/sys'): string {
  if (!isAllowedSysctl(name)) throw new SysctlError(`sysctl name not allowed: ${name}`, name);
  return path.join(procRoot, ...name.split('.'));
}

/**
 * Write each sysctl and read it back. Throws SysctlError (with cause) on a bad name or value,
 * a failed write, or a read-back that differs.
 */
export async function setSysctls(
  entries: Readonly<Record<string, string>>, procRoot = '/proc/sys',
): Promise<void> {
  for (const [name, value] of Object.entries(entries)) {
    const file = sysctlPath(name, procRoot);
    if (!VALUE.test(value)) throw new SysctlError(`sysctl value not allowed for ${name}`, name);
    try {
      await writeFile(file, `${value}\n`);
    } catch (err) {
      throw new SysctlError(`cannot set ${name}`, name, { cause: err });
    }
    let back: string;
    try {
      back = (await readFile(file, 'utf8')).trim();
    } catch (err) {
      throw new SysctlError(`cannot read back ${name}`, name, { cause: err });
    }
    if (back !== value) throw new SysctlError(`${name} reads ${back}, expected ${value}`, name);
  }
}
