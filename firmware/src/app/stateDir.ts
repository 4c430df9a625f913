// Prepares the state dir before anything is written to it: 0700 on the dir, 0600 on every
// file (0700 on every subdir) utmd owns, whatever an earlier install or a hand left there;
// temporary files of interrupted atomic writes removed; the leftover children of a utmd that
// was killed -9 ended (only those it recorded, by pid and start time). Entries owned by
// another user (e.g. a directory handed to dnsmasq's own user) are left as they are.
import { chmod, lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CHILDREN_DIR, endLeftovers } from '../sys/childRecords.js';
import { DNSMASQ_DIR } from '../sys/paths.js';
import type { Logger } from './log.js';
import { errorMessage } from '../errors/errorText.js';

/** Names that only writeAtomic, the ulogd config writer and the nft driver use for temporary files. */
export function isTempName(name: string): boolean {
  return /\.tmp(-\d+)?$/.test(name) || /^nft-\d+-\d+\.(?:json|nft)$/.test(name);
}

/** Pure: the mode an entry must have, or null when it is fine (or not ours to change).
 *  `passableByGroup`: the state dir itself may also be 0710 when a service group (dnsmasq's
 *  own user, router mode) must pass through it to its own sub-directory; it can list nothing. */
export function wantedMode(kind: 'dir' | 'file' | 'socket' | 'other', mode: number, ownerUid: number, ourUid: number, passableByGroup = false): number | null {
  if (ownerUid !== ourUid || kind === 'other') return null;
  const perm = mode & 0o7777;
  const want = kind === 'dir' ? 0o700 : 0o600;
  if (passableByGroup && kind === 'dir' && perm === 0o710) return null;
  return perm === want ? null : want;
}

export interface PrepareReport {
  fixed: Array<{ path: string; from: string; to: string }>;
  tempRemoved: string[];
  leftoversEnded: Array<{ id: string; pid: number }>;
}

const MAX_DEPTH = 4;

/** Creates/fixes the state dir; logs one line per kind of repair. Throws only when the dir cannot be created. */
export async function prepareStateDir(dir: string, log: Logger, uid: number = process.getuid?.() ?? 0): Promise<PrepareReport> {
  const report: PrepareReport = { fixed: [], tempRemoved: [], leftoversEnded: [] };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // children first: a leftover dnsmasq must be gone before ours binds, and before files move
  report.leftoversEnded = (await endLeftovers(join(dir, CHILDREN_DIR))).map((r) => ({ id: r.id, pid: r.pid }));
  await walk(dir, 0, uid, report, log);
  if (report.fixed.length) {
    log.warn(`state dir permissions fixed on ${report.fixed.length} entr${report.fixed.length === 1 ? 'y' : 'ies'} (only root may read them now)`,
      report.fixed.slice(0, 20));
  }
  if (report.tempRemoved.length) log.info(`removed ${report.tempRemoved.length} temporary file(s) of interrupted writes`, report.tempRemoved.slice(0, 20));
  if (report.leftoversEnded.length) log.warn('ended children left behind by a previous utmd', report.leftoversEnded);
  return report;
}

/** Removes the temporary files of interrupted writes at the top of `dir` (the unit's
 *  RuntimeDirectory, which systemd keeps over a restart since held findings live there:
 *  app/heldFile.ts). Nothing else there is touched: dnsmasq's own sub-directory, the held
 *  list itself, this process's own temporary files. Returns the paths removed; a failure is logged, never thrown. */
export async function removeTempFiles(dir: string, log: Logger): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    log.warn(`cannot list ${dir}: ${errorMessage(e)}`);
    return [];
  }
  const removed: string[] = [];
  // this process's own (`.tmp-PID`, `nft-PID-SEQ`) may be in use right now
  const ours = new RegExp(`(?:\\.tmp-|^nft-)${process.pid}(?:-\\d+\\.\\w+)?$`);
  for (const n of names.filter((x) => isTempName(x) && !ours.test(x))) await removeTemp(join(dir, n), removed, log);
  if (removed.length) log.info(`removed ${removed.length} temporary file(s) of interrupted writes in ${dir}`, removed.slice(0, 20));
  return removed;
}

/** Removes one temporary file, noting it in `removed`; a failure is logged. */
async function removeTemp(path: string, removed: string[], log: Logger): Promise<void> {
  try {
    await rm(path, { force: true });
    removed.push(path);
  } catch (e) {
    log.warn(`cannot remove temporary file ${path}: ${errorMessage(e)}`);
  }
}

async function walk(path: string, depth: number, uid: number, report: PrepareReport, log: Logger): Promise<void> {
  let st;
  try {
    st = await lstat(path);
  } catch (e) {
    log.warn(`state dir: cannot inspect ${path}: ${errorMessage(e)}`);
    return;
  }
  const kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSocket() ? 'socket' : 'other';
  // the root may be 0710 for a service group (not root's); dnsmasq's own dir keeps its modes
  const want = wantedMode(kind, st.mode, st.uid, uid, depth === 0 && st.gid !== 0);
  if (want !== null) {
    try {
      await chmod(path, want);
      report.fixed.push({ path, from: (st.mode & 0o7777).toString(8), to: want.toString(8) });
    } catch (e) {
      log.error(`state dir: cannot set mode ${want.toString(8)} on ${path}`, e);
    }
  }
  if (kind !== 'dir' || st.uid !== uid || depth >= MAX_DEPTH) return;
  let names: string[];
  try {
    names = await readdir(path);
  } catch (e) {
    log.warn(`state dir: cannot list ${path}: ${errorMessage(e)}`);
    return;
  }
  for (const n of names) {
    const p = join(path, n);
    if (depth === 0 && n === DNSMASQ_DIR) continue; // devices/dnsmasqUser.ts owns its modes
    if (isTempName(n)) {
      await removeTemp(p, report.tempRemoved, log);
      continue;
    }
    await walk(p, depth + 1, uid, report, log);
  }
}
