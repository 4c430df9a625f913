// Adapter: the system user dnsmasq runs as, and the directory of its lease and pid files.
// dnsmasq opens both as root, then runs as DNSMASQ_USER: the files belong to that user
// (writable by it only), the directory to root, so the user cannot plant other files there.
// Debian's dnsmasq-base ships a `dnsmasq` user, but its group is the shared `nogroup` and any
// other dnsmasq on the system (NetworkManager, libvirt) runs as it too: ours is our own.
import { chmod, chown, mkdir, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { systemBin } from '../sys/bin.js';
import { run, RunError } from '../sys/run.js';

export const DNSMASQ_USER = 'otasuke-dnsmasq';

export class DnsmasqUserError extends Error {
  override name = 'DnsmasqUserError';
}

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
  /** True when this call created it. */
  created: boolean;
}

/** Parses one `getent passwd` line; null when it is not one. Pure. */
export function parsePasswdLine(line: string): { name: string; uid: number; gid: number } | null {
  const f = line.trim().split(':');
  if (f.length < 7) return null;
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid < 0 || gid < 0) return null;
  return { name: f[0]!, uid, gid };
}

async function lookup(name: string): Promise<{ name: string; uid: number; gid: number } | null> {
  const r = await run([systemBin('getent'), 'passwd', name], { allowFailure: true, timeoutMs: 10_000 });
  return r.code === 0 ? parsePasswdLine(r.stdout) : null;
}

/** The user, created as a locked system account with its own group when missing (the image
 *  creates it at build time; a read-only /etc makes useradd fail here). Refuses uid 0.
 *  Throws DnsmasqUserError. */
export async function ensureSystemUser(name = DNSMASQ_USER): Promise<SystemUser> {
  let u = await lookup(name);
  let created = false;
  if (u === null) {
    try {
      await run([systemBin('useradd'), '--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent',
        '--shell', '/usr/sbin/nologin', '--comment', 'Otasuke UTM dnsmasq (DHCP and DNS for the office)', name], { timeoutMs: 30_000 });
      created = true;
    } catch (e) {
      // Another utmd (a parallel test) may have created it in the meantime.
      if (!(e instanceof RunError)) throw e;
      if ((await lookup(name)) === null) throw new DnsmasqUserError(`cannot create system user ${name}: ${e.message}`, { cause: e });
    }
    u = await lookup(name);
  }
  if (u === null) throw new DnsmasqUserError(`system user ${name} not found after useradd`);
  if (u.uid === 0) throw new DnsmasqUserError(`system user ${name} has uid 0`);
  return { ...u, created };
}

/** Makes `dir` (root-owned, 0755) and the lease file in it (owned by `user`, 0644, created
 *  empty when missing). The pid file is made by dnsmasq itself and handed to the user.
 *  Throws on I/O errors (no CAP_CHOWN, read-only state dir). */
export async function prepareRunDir(dir: string, leaseName: string, user: SystemUser): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await chmod(dir, 0o755);
  const lease = join(dir, leaseName);
  const fh = await open(lease, 'a', 0o644);
  await fh.close();
  const st = await stat(lease);
  if (st.uid !== user.uid || st.gid !== user.gid) await chown(lease, user.uid, user.gid);
  await chmod(lease, 0o644);
}
