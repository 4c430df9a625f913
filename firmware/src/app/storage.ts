// Watches the state dir's file system (statfs) and the store's write failures. Below the
// configured free space it raises the `disk` condition and prunes low-value data first (sent
// outbox rows, old alerts and incidents, the WAL), never unsent messages. A failed write
// (SQLITE_FULL, SQLITE_IOERR, ENOSPC, …) raises the `storage` condition and is counted, never
// a crash; findings that could not be stored are held (bounded) and stored once writes work
// again, so the monitoring centre still hears about them. Recovery needs no restart.
// A reserve file (`space-reserve`, storage.reserveMb) holds back a few MB while there is room:
// a write refused because the disk is full (whoever filled it) removes it, so the store works
// again at once and the alert, the `disk` and `storage` conditions and the held findings reach
// the monitoring centre while the disk stays full; it is made again once there is room.
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { open, rename, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding } from '../alerts/types.js';
import type { Conditions } from './conditions.js';
import type { Logger } from './log.js';
import { errnoCode, errorMessage } from '../errors/errorText.js';
import { isStorageError, READ_ONLY_CODES } from '../errors/storageError.js';
import { Poller } from '../time/poller.js';
import { HELD_FILE, HeldFile, readHeldFile } from './heldFile.js';

/** The error's code for the technician, e.g. SQLITE_FULL or ENOSPC. */
export function storageCode(e: unknown): string {
  return errnoCode(e) ?? (e instanceof Error ? e.message.slice(0, 80) : 'unknown');
}

export interface DiskReading {
  freeBytes: number;
  totalBytes: number;
}

/** Pure: is the free space below the threshold? */
export function diskLow(r: DiskReading, minFreeBytes: number): boolean {
  return r.freeBytes < minFreeBytes;
}

/** Below this free in the runtime dir, the `runtime-dir` condition fails (a 100k-entry nft
 *  document is 1.5 MB). */
const RUNTIME_MIN_FREE_BYTES = 2 * 1024 * 1024;

/** The reserve's file in the state dir. */
export const RESERVE_FILE = 'space-reserve';
/** Ends the `storage` condition's detail when a full disk took the reserve: the office's
 *  alert then says the box goes on on its spare space (app/health.ts). */
export const RESERVE_USED_NOTE = 'writing on the space the reserve held';
/** Codes of a write refused for want of room (the reserve helps), not of a failing disk. */
const FULL_CODES = /^(SQLITE_FULL|ENOSPC|EDQUOT)/;

/** The error a small file (`bytes`) written in `dir` meets now, or null when it can be
 *  written (it is removed again). */
function probeWrite(dir: string, bytes: number): unknown {
  const file = join(dir, `storage-probe.tmp-${process.pid}`);
  try {
    writeFileSync(file, Buffer.alloc(bytes), { mode: 0o600 });
    return null;
  } catch (e) {
    return e;
  } finally {
    try {
      rmSync(file, { force: true });
    } catch {
      // nothing was made on a file system that takes no writes
    }
  }
}

/** Removes the reserve file at `path` when there is one (whatever its size: one an earlier
 *  config made goes too); says so, and why. Returns whether it did. */
function removeReserve(path: string, why: string, log: Logger): boolean {
  try {
    statSync(path);
  } catch {
    return false;
  }
  try {
    rmSync(path, { force: true });
  } catch (e) {
    log.error('storage: the disk is full and its reserve cannot be removed', e);
    return false;
  }
  log.error(`storage: the disk is full; its reserve released ${why}`);
  return true;
}

/** Before the store is open (AlertStore.open): when a small write in `stateDir` is refused for
 *  want of room and the reserve is there, removes it; returns whether it did. */
export function releaseReserveToOpen(stateDir: string, log: Logger): boolean {
  const e = probeWrite(stateDir, 64 * 1024);
  // room (the store failed for another reason), or a disk that fails rather than fills
  if (e === null || !FULL_CODES.test(storageCode(e))) return false;
  return removeReserve(join(stateDir, RESERVE_FILE), 'to open the store on disk', log);
}

export interface StorageWatchOptions {
  stateDir: string;
  minFreeMb: number;
  checkMs: number;
  conditions: Conditions;
  log: Logger;
  /** Deletes low-value rows; returns counts. May throw (counted as a write failure). */
  prune: () => Record<string, number>;
  /** Stores a held finding again once writes work (the daemon's raise). */
  reraise: (f: Finding) => void;
  /** Reads the file system (tests inject); default statfs(2). */
  read?: ((dir: string) => Promise<DiskReading>) | undefined;
  /** The unit's runtime dir (on /run, shared by every service of the box), watched for space
   *  too: the `runtime-dir` condition, for the technician and the centre (not the office's
   *  page: the box goes on, its children's files in the state dir, sys/writableDir.ts). */
  runtimeDir?: string | undefined;
  /** Told once when a write on the disk's store fails because its file system turned
   *  read-only (EROFS, SQLITE_READONLY: a failing flash, which does not mend itself); not
   *  for a store in memory. The daemon's entry point restarts utmd under systemd then. */
  onReadOnly?: ((e: unknown) => void) | undefined;
  /** Most findings held while writes fail; the oldest are dropped beyond it. */
  maxHeld?: number | undefined;
  /** MB held back in the reserve file (0: none). Counted as used: the `disk` condition asks
   *  for minFreeMb free besides it, and it is made only then. */
  reserveMb?: number | undefined;
}

export interface StorageStatus {
  freeBytes: number | null;
  totalBytes: number | null;
  minFreeBytes: number;
  low: boolean;
  writable: boolean;
  writeFailures: number;
  lastFailure: { at: number; where: string; code: string } | null;
  held: number;
  heldDropped: number;
  pruned: Record<string, number>;
  /** The reserve file: its size, whether it is there now, how often a full disk took it. */
  reserve: { bytes: number; present: boolean; released: number; lastReleasedAt: number | null };
}

async function readStatfs(dir: string): Promise<DiskReading> {
  const s = await statfs(dir);
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}

export class StorageWatch {
  private readonly poller: Poller;
  private checking = false;
  private held: Finding[] = [];
  private readonly recoveredHooks: (() => void)[] = [];
  /** The store could not be opened on disk at start: only a restart brings it back. */
  private inMemory = false;
  private readOnlySaid = false;
  private readonly st: StorageStatus;
  private readonly heldFile: HeldFile;
  private readonly heldPath: string;

  constructor(private readonly o: StorageWatchOptions) {
    this.poller = new Poller({ everyMs: o.checkMs, run: () => this.check() });
    // kept where the process after this one finds it: the runtime dir, else the state dir
    this.heldPath = join(o.runtimeDir ?? o.stateDir, HELD_FILE);
    this.heldFile = new HeldFile(this.heldPath, o.log);
    this.st = {
      freeBytes: null, totalBytes: null, minFreeBytes: o.minFreeMb * 1024 * 1024, low: false, writable: true,
      writeFailures: 0, lastFailure: null, held: 0, heldDropped: 0, pruned: {},
      reserve: { bytes: (o.reserveMb ?? 0) * 1024 * 1024, present: false, released: 0, lastReleasedAt: null },
    };
    this.reservePath = join(o.stateDir, RESERVE_FILE);
  }

  private readonly reservePath: string;

  /** Checks now, then every checkMs. */
  start(): void {
    // a reserve an earlier config asked for, no longer wanted
    if (!this.st.reserve.bytes) {
      try {
        rmSync(this.reservePath, { force: true });
      } catch (e) {
        this.o.log.warn(`storage: cannot remove the unwanted reserve ${this.reservePath}: ${errorMessage(e)}`);
      }
    }
    this.poller.start(true);
  }

  /** Stops the checks; settles once the held findings' file is written. */
  async stop(): Promise<void> {
    this.poller.stop();
    await this.heldFile.idle();
  }

  /** Stores the findings an earlier process held and saved (app/heldFile.ts): each goes
   *  through `reraise`, and is held again if the store still refuses it. */
  restoreHeld(): void {
    const saved = readHeldFile(this.heldPath, this.o.log);
    if (!saved.length) return;
    this.o.log.info(`storage: storing ${saved.length} finding(s) held before utmd last stopped`);
    for (const f of saved) this.o.reraise(f);
    this.heldFile.save(this.held);
  }

  status(): StorageStatus {
    return { ...this.st, held: this.held.length, pruned: { ...this.st.pruned }, reserve: { ...this.st.reserve } };
  }

  /** A write failed at a boundary: count it, raise `storage`, and check space now. */
  noteFailure(failure: unknown, where: string, onReserve = false): void {
    const e = this.explained(failure);
    const code = storageCode(e);
    if (!this.inMemory && !this.readOnlySaid && READ_ONLY_CODES.test(code)) {
      this.readOnlySaid = true;
      this.o.onReadOnly?.(e);
    }
    this.st.writeFailures++;
    this.st.lastFailure = { at: Date.now(), where, code };
    if (this.st.writable) this.o.log.error(`storage: a write failed (${where}); utmd keeps enforcing and retries when space returns`, e);
    this.st.writable = false;
    // the reserve goes before the condition is set: the alert it raises says which case it is
    if (FULL_CODES.test(code) && this.releaseReserve()) onReserve = true;
    this.o.conditions.set('storage', false, `writes failing: ${code} (${where}); ${this.st.writeFailures} failed so far${onReserve ? `; ${RESERVE_USED_NOTE}` : ''}`);
  }

  /** The disk is full: the reserve goes, and writes are tried again right after the caller
   *  held what it could not write (the held findings are stored and sent from there on).
   *  Returns whether it went now. */
  private releaseReserve(): boolean {
    if (!this.st.reserve.bytes || !removeReserve(this.reservePath, 'so alerts are kept and sent while it stays full', this.o.log)) return false;
    this.countRelease();
    setImmediate(() => this.tryRecover());
    return true;
  }

  /** A full disk took the reserve (status and `utmctl status`). */
  private countRelease(): void {
    const r = this.st.reserve;
    r.present = false;
    r.released++;
    r.lastReleasedAt = Date.now();
  }

  /** Whether the reserve file is there whole. */
  private reserveThere(): boolean {
    const r = this.st.reserve;
    if (!r.bytes) return false;
    try {
      r.present = statSync(this.reservePath).size === r.bytes;
    } catch {
      r.present = false;
    }
    return r.present;
  }

  /** Makes the reserve file (a temporary name until whole, so a kill leaves no half reserve). */
  private async makeReserve(): Promise<void> {
    const r = this.st.reserve;
    const tmp = `${this.reservePath}.tmp-${process.pid}`;
    try {
      const fh = await open(tmp, 'w', 0o600);
      try {
        const chunk = Buffer.alloc(1024 * 1024);
        for (let left = r.bytes; left > 0; left -= chunk.length) await fh.write(chunk, 0, Math.min(left, chunk.length));
      } finally {
        await fh.close();
      }
      await rename(tmp, this.reservePath);
      r.present = true;
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      this.o.log.warn(`storage: cannot make the ${Math.round(r.bytes / 1048576)} MB reserve in ${this.o.stateDir}: ${errorMessage(e)}`);
    }
  }

  /** Writes work again (a 64 KiB test write: room for a few rows, not just a byte)? Then recover. */
  private tryRecover(): void {
    if (!this.st.writable && !this.inMemory && this.writeError(64 * 1024) === null) this.recovered();
  }

  /** SQLite says only "disk I/O error" or "cannot open" where the file system refuses every
   *  write (an open database on a flash turned read-only gets SQLITE_IOERR_WRITE, not
   *  SQLITE_READONLY): a small file written now says why (EROFS: the flash failed, ENOSPC:
   *  full), which the office's alert words differently and which may restart utmd. */
  private explained(e: unknown): unknown {
    return /^(SQLITE_IOERR|SQLITE_CANTOPEN|EIO$)/.test(storageCode(e)) ? this.writeError() ?? e : e;
  }

  /** Calls `fn` each time writes work again after a failure (what could not be written then). */
  onRecovered(fn: () => void): void {
    this.recoveredHooks.push(fn);
  }

  /** Counts `e` when it is a storage error (noteFailure) and says whether it was; the caller
   *  keeps what it could not write. Callers that retry every few seconds log nothing more. */
  absorb(e: unknown, where: string): boolean {
    if (!isStorageError(e)) return false;
    this.noteFailure(e, where);
    return true;
  }

  /** The store was opened on disk only once its reserve was given up (releaseReserveToOpen):
   *  counted as a release, and said as a failed write (the alerts; writes work again at the
   *  first check). After the conditions' listener, as storeInMemory. */
  openedOnReserve(e: unknown): void {
    this.countRelease();
    this.noteFailure(e, 'opening the store', true);
  }

  /** The store runs in memory since start (it could not be opened on disk): never "recovered" without a restart. */
  storeInMemory(e: unknown): void {
    this.inMemory = true;
    this.noteFailure(e, 'opening the store; running with one in memory, restart utmd once there is space');
  }

  /** The error a small file (`bytes`) written in the state dir meets now, or null when it can
   *  be written (it is removed again). */
  private writeError(bytes = 1): unknown {
    return probeWrite(this.o.stateDir, bytes);
  }

  /** Keeps a finding that could not be stored, to store it once writes work again. */
  hold(f: Finding): void {
    this.held.push(f);
    const max = this.o.maxHeld ?? 200;
    if (this.held.length > max) {
      this.st.heldDropped += this.held.length - max;
      this.held = this.held.slice(-max);
    }
    this.heldFile.save(this.held);
  }

  /** One round: statfs, `disk` condition, pruning when low, recovery probe when writes failed. Never rejects. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      let r: DiskReading;
      try {
        r = await (this.o.read ?? readStatfs)(this.o.stateDir);
      } catch (e) {
        this.o.log.warn(`storage: cannot read free space of ${this.o.stateDir}: ${errorMessage(e)}`);
        return;
      }
      this.tryRecover(); // still full or failing: next round
      // a reserve not held (released, or not made yet) is owed: counted as used, made when there is room besides it
      const res = this.st.reserve;
      let free = r.freeBytes;
      if (res.bytes && !this.reserveThere() && this.st.writable && free - res.bytes >= this.st.minFreeBytes) {
        await this.makeReserve();
        if (res.present) free -= res.bytes;
      }
      const owed = res.bytes && !res.present ? res.bytes : 0;
      this.st.freeBytes = free;
      this.st.totalBytes = r.totalBytes;
      const low = diskLow({ freeBytes: free - owed, totalBytes: r.totalBytes }, this.st.minFreeBytes);
      this.st.low = low;
      const mb = Math.floor(free / 1024 / 1024);
      const reserveText = res.bytes ? `, besides a ${Math.round(res.bytes / 1048576)} MB reserve${owed ? ' not held now' : ''}` : '';
      this.o.conditions.set('disk', !low, `${mb} MB free in the state dir (threshold ${this.o.minFreeMb} MB${reserveText})`);
      if (low) {
        this.pruneNow();
        this.tryRecover();
      }
      await this.checkRuntimeDir();
    } finally {
      this.checking = false;
    }
  }

  private async checkRuntimeDir(): Promise<void> {
    const dir = this.o.runtimeDir;
    if (!dir || dir === this.o.stateDir) return;
    try {
      const r = await (this.o.read ?? readStatfs)(dir);
      const mb = Math.floor(r.freeBytes / 1024 / 1024);
      const full = r.freeBytes < RUNTIME_MIN_FREE_BYTES;
      this.o.conditions.set('runtime-dir', !full, `${mb} MB free in the runtime dir ${dir}${full ? ": nft's documents and the children's configs go to the state dir meanwhile" : ''}`);
    } catch (e) {
      this.o.conditions.set('runtime-dir', false, `cannot read the free space of ${dir}: ${errorMessage(e)}`);
    }
  }

  private pruneNow(): void {
    try {
      const n = this.o.prune();
      for (const [k, v] of Object.entries(n)) this.st.pruned[k] = (this.st.pruned[k] ?? 0) + v;
      if (Object.values(n).some((v) => v > 0)) this.o.log.info('storage: low on space, pruned', n);
    } catch (e) {
      if (isStorageError(e)) this.noteFailure(e, 'prune');
      else this.o.log.error('storage: prune failed', e);
    }
  }

  private recovered(): void {
    this.st.writable = true;
    const onReserve = this.st.reserve.released > 0 && !this.reserveThere();
    this.o.conditions.set('storage', true, `writes work again${onReserve ? ', on the space the reserve held (the disk needs room: see the disk condition)' : ''}`);
    this.o.log.info(`storage: writes work again; storing ${this.held.length} held finding(s)`);
    const held = this.held;
    this.held = [];
    for (const f of held) this.o.reraise(f);
    this.heldFile.save(this.held);
    for (const fn of this.recoveredHooks) fn();
  }
}
