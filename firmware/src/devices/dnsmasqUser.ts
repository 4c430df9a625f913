// Adapter: the system user dnsmasq runs as, and the directory of its lease, pid and names
// files. dnsmasq opens the lease and pid files as root, then runs as DNSMASQ_USER: those two
// belong to that user (writable by it only); the directory and the names file belong to root
// (the user may read, not write, them), so it cannot plant or change other files.
// Debian's dnsmasq-base ships a `dnsmasq` user, but its group is the shared `nogroup` and any
// other dnsmasq on the system (NetworkManager, libvirt) runs as it too: ours is our own.
import { chmod, chown, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { systemBin } from '../sys/bin.js';
import { makeDir } from '../sys/files.js';
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
  const name = f[0];
  if (f.length < 7 || name === undefined) return null;
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid < 0 || gid < 0) return null;
  return { name, uid, gid };
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

/** Prepares what dnsmasq touches after it has become `user` (it reads its dhcp-hostsfile
 *  then, even at start): the state dir passable by the user's group (0710 unless others may
 *  already pass), `dir` root's with the user's group (0750), and the lease file in it owned
 *  by the user (0644: the root-owned daemon, without CAP_DAC_OVERRIDE, still reads it).
 *  dnsmasq itself makes the pid file and hands it to the user. Throws on I/O errors (no
 *  CAP_CHOWN, read-only state dir). */
export async function prepareRunDir(stateDir: string, dir: string, leaseName: string, user: SystemUser): Promise<void> {
  await prepareSharedDir(stateDir, dir, user);
  const lease = join(dir, leaseName);
  const fh = await open(lease, 'a', 0o644);
  await fh.close();
  const st = await stat(lease);
  if (st.uid !== user.uid || st.gid !== user.gid) await chown(lease, user.uid, user.gid);
  await chmod(lease, 0o644);
}

/** `parent` passable by the user's group (0710 unless others may already pass; the unit's
 *  RuntimeDirectory is 0700), and `dir` in it root's with the user's group (0750). */
export async function prepareSharedDir(parent: string, dir: string, user: SystemUser): Promise<void> {
  const sd = await stat(parent);
  if ((sd.mode & 0o001) === 0) {
    if (sd.gid !== user.gid) await chown(parent, sd.uid, user.gid);
    await chmod(parent, (sd.mode & 0o700) | 0o010);
  }
  await makeDir(dir, 0o750);
  const d = await stat(dir);
  if (d.gid !== user.gid) await chown(dir, d.uid, user.gid);
  await chmod(dir, 0o750);
}

/** Gives a file utmd wrote (e.g. the names file) to the user's group, read-only (0640). */
export async function shareWithGroup(path: string, user: SystemUser): Promise<void> {
  const st = await stat(path);
  if (st.gid !== user.gid) await chown(path, st.uid, user.gid);
  await chmod(path, 0o640);
}
