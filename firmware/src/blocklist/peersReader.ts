// Adapter: finds the box's own resolvers and NTP servers in the files that name them, and
// resolves NTP host names, so the guard can protect them (peers.ts). Every file is optional:
// a box without chrony simply has no chrony file. Never throws: what cannot be read is
// counted in `problems` and the rest is used.
import { lookup } from 'node:dns/promises';
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { parseChrony, parseLeaseDns, parseLeaseNtp, parseResolvConf, parseTimesyncd } from './peers.js';
import { peerAddress } from '../net/hostOrAddress.js';

export interface PeerSources {
  /** resolv.conf files (the box's own, and systemd-resolved's list of upstream servers). */
  resolvConf: string[];
  /** Folders of DHCP lease files (dhclient, systemd-networkd): their DNS and NTP servers;
   *  every file in them is read. */
  leaseDirs: string[];
  /** systemd-timesyncd config files and drop-in folders. */
  timesyncd: string[];
  /** chrony config files and source folders (`sourcedir`, e.g. DHCP-provided NTP). */
  chrony: string[];
}

export const DEFAULT_PEER_SOURCES: PeerSources = {
  resolvConf: ['/etc/resolv.conf', '/run/systemd/resolve/resolv.conf'],
  leaseDirs: ['/var/lib/dhcp', '/var/lib/dhclient', '/run/systemd/netif/leases'],
  timesyncd: ['/etc/systemd/timesyncd.conf', '/etc/systemd/timesyncd.conf.d', '/run/systemd/timesyncd.conf.d'],
  chrony: ['/etc/chrony/chrony.conf', '/etc/chrony/conf.d', '/etc/chrony/sources.d', '/run/chrony-dhcp'],
};

export interface ReadPeersResult {
  resolver: string[];
  ntp: string[];
  /** NTP host names that did not resolve (kept out; retried at the next read). */
  unresolved: string[];
}

const MAX_FILE = 256 * 1024;

/** Text of a file, or of every regular file in a folder (sorted); missing paths give nothing.
 *  Read synchronously: a dozen small files in /etc, /run and /var/lib take ~0.4 ms this way; they took
 *  ~2 ms through the thread pool, one after another, before each feed download. Opened
 *  non-blocking and read only when regular, so a FIFO or device in a folder cannot hang utmd. */
function texts(path: string): string[] {
  const top = open(path);
  if (top !== FOLDER) return top === null ? [] : [top];
  const out: string[] = [];
  for (const name of readdirSync(path).sort().slice(0, 64)) {
    const t = open(join(path, name));
    if (typeof t === 'string') out.push(t);
  }
  return out;
}

const FOLDER = Symbol('folder');

/** The first MAX_FILE bytes of a regular file; FOLDER; or null when missing or anything else. */
function open(path: string): string | typeof FOLDER | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENXIO') return null; // ENXIO: a socket
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return FOLDER;
    if (!st.isFile()) return null;
    const head = Buffer.allocUnsafe(Math.min(st.size, MAX_FILE));
    return head.toString('utf8', 0, readSync(fd, head, 0, head.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** Every address a host name resolves to now (both families), within `timeoutMs`; [] on failure. */
export async function resolveHost(host: string, timeoutMs: number): Promise<string[]> {
  const literal = peerAddress(host);
  if (literal) return [literal];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`lookup of ${host} took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const all = await Promise.race([lookup(host, { all: true, verbatim: true }), timeout]);
    return all.map((a) => peerAddress(a.address)).filter((a): a is string => a !== null);
  } catch {
    return []; // no answer now: the caller counts it as unresolved and tries again next time
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads the resolvers and NTP servers the box uses; `extraNtp` (config) is added to what
 * timesyncd and chrony name. `onProblem` hears about unreadable files.
 */
export async function readBoxPeers(o: { sources?: PeerSources; extraNtp?: readonly string[]; timeoutMs?: number; onProblem?: (what: string, e: unknown) => void }): Promise<ReadPeersResult> {
  const src = o.sources ?? DEFAULT_PEER_SOURCES;
  const read = (paths: string[]): string[] => paths.flatMap((p) => {
    try {
      return texts(p);
    } catch (e) {
      o.onProblem?.(p, e);
      return [];
    }
  });
  const leases = read(src.leaseDirs);
  const resolver = [...read(src.resolvConf).flatMap(parseResolvConf), ...leases.flatMap(parseLeaseDns)];
  const hosts = [...new Set([
    ...leases.flatMap(parseLeaseNtp), // from DHCP: what timesyncd asks first
    ...read(src.timesyncd).flatMap(parseTimesyncd),
    ...read(src.chrony).flatMap(parseChrony),
    ...(o.extraNtp ?? []),
  ])].slice(0, 32);
  const ntp: string[] = [];
  const unresolved: string[] = [];
  await Promise.all(hosts.map(async (h) => {
    const a = await resolveHost(h, o.timeoutMs ?? 2000);
    if (a.length) ntp.push(...a);
    else unresolved.push(h);
  }));
  return { resolver: [...new Set(resolver)].sort(), ntp: [...new Set(ntp)].sort(), unresolved: unresolved.sort() };
}
