// Adapter (router mode only): renders dnsmasq's config and its names file into the runtime dir
// (the unit's tmpfs: a full state dir must not keep the office from its DHCP server; the state
// dir when there is none, or when it is full), keeps dnsmasq's leases in the state dir (they outlive a reboot; on
// the runtime dir, seeded from the state dir's, while the state dir cannot be written: a flash
// turned read-only must not take the office's DHCP server with it), makes sure dnsmasq's own
// unprivileged user and run dir exist, supervises `dnsmasq --keep-in-foreground`, has it
// re-read the names file (SIGHUP) when the held names change, and watches its lease file; each
// lease becomes a sighting.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from '../sys/files.js';
import { inWritableDir } from '../sys/writableDir.js';
import { systemBin } from '../sys/bin.js';
import { CHILDREN_DIR } from '../sys/childRecords.js';
import { Supervisor, type SupervisorHealth } from '../sensors/supervisor.js';
import { parseLeases, renderDnsmasqConfig, type DnsmasqPlan, type Lease } from './dnsmasq.js';
import { DNSMASQ_DIR } from '../sys/paths.js';
import { Poller } from '../time/poller.js';
import { DNSMASQ_USER, ensureSystemUser, prepareRunDir, prepareSharedDir, shareWithGroup, type SystemUser } from './dnsmasqUser.js';
import { errnoCode } from '../errors/errorText.js';

export interface DnsmasqServiceOptions {
  stateDir: string;
  /** Where the config, the names file and the pid file go (sys/paths.ts scratchDir); default stateDir. */
  runtimeDir?: string | undefined;
  plan: Omit<DnsmasqPlan, 'leaseFile' | 'pidFile' | 'namesFile' | 'user'>;
  /** The first names file (renderNamesFile); later ones through setNames(). */
  names: string;
  now: () => number;
  onHealth: (h: SupervisorHealth) => void;
  onLeases: (leases: Lease[]) => void;
  onError: (what: string, e: unknown) => void;
  pollMs?: number | undefined;
  /** Quiet time after a names change before dnsmasq re-reads them (a burst reloads once). */
  namesDelayMs?: number | undefined;
}

const LEASES = 'dnsmasq.leases';

export class DnsmasqService {
  private sup: Supervisor | null = null;
  private leases: Poller | null = null;
  private namesTimer: NodeJS.Timeout | null = null;
  private lastText = '';
  private names: string;
  private writtenNames = '';
  private user: SystemUser | null = null;
  /** Where dnsmasq keeps its leases (chosen at each start). */
  private leasePath: string;
  /** The runtime dir this start uses: the given one, or the state dir while that is full. */
  private dir: string | undefined;
  readonly counts = { reads: 0, leases: 0, skipped: 0, namesReloads: 0 };

  constructor(private readonly o: DnsmasqServiceOptions) {
    this.names = o.names;
    this.leasePath = join(this.runDir, LEASES);
  }

  /** dnsmasq's own directory in the state dir: the lease file, owned by its user. */
  get runDir(): string {
    return join(this.o.stateDir, DNSMASQ_DIR);
  }

  private get runtimeDir(): string {
    return this.dir ?? this.o.runtimeDir ?? this.o.stateDir;
  }

  /** Its directory in the runtime dir (the run dir when there is none): names and pid files. */
  get confDir(): string {
    return join(this.runtimeDir, DNSMASQ_DIR);
  }

  /** The state dir's lease file, or the runtime dir's while the state dir cannot be written. */
  get leaseFile(): string {
    return this.leasePath;
  }

  /** Read by dnsmasq as its own user (at start too), so it lives in a dir of its group. */
  get namesFile(): string {
    return join(this.confDir, 'names.hosts');
  }

  /** Prepares user and files, writes the config and starts dnsmasq; throws DnsmasqConfigError
   *  for an unusable plan. Without its own user (read-only /etc, no useradd) dnsmasq runs as
   *  `nobody`, said through onError: unprivileged still, and the office keeps its DHCP. */
  async start(): Promise<void> {
    try {
      this.user = await ensureSystemUser(DNSMASQ_USER);
    } catch (e) {
      this.o.onError(`dnsmasq user ${DNSMASQ_USER} unavailable, running dnsmasq as nobody`, e);
      this.user = { name: 'nobody', uid: 65534, gid: 65534, created: false };
    }
    const user = this.user;
    // the state dir when the runtime dir is full (/run is shared by every service of the box)
    const conf = await inWritableDir([this.o.runtimeDir ?? this.o.stateDir, this.o.stateDir], (dir) => this.prepareFiles(dir, user),
      (dir, e) => this.o.onError(`dnsmasq's files in ${dir} (written to the state dir instead)`, e));
    this.sup = new Supervisor({
      id: 'dnsmasq',
      argv: [systemBin('dnsmasq'), '--keep-in-foreground', `--conf-file=${conf}`, '--log-facility=-'],
      now: this.o.now,
      killWithParent: true,
      recordDir: join(this.o.stateDir, CHILDREN_DIR),
      onHealth: this.o.onHealth,
    });
    this.sup.start();
    this.leases = new Poller({ everyMs: this.o.pollMs ?? 2000, run: () => this.readLeases(), ref: true });
    this.leases.start();
  }

  /** Leases, names, config and the pid file's dir, with `dir` as the runtime dir. Returns the config's path. */
  private async prepareFiles(dir: string, user: SystemUser): Promise<string> {
    this.dir = dir;
    this.leasePath = await this.prepareLeases(user);
    if (this.confDir !== this.runDir) await prepareSharedDir(this.runtimeDir, this.confDir, user);
    const conf = join(this.runtimeDir, 'dnsmasq.conf');
    const text = renderDnsmasqConfig({
      ...this.o.plan, leaseFile: this.leaseFile, pidFile: join(this.confDir, 'dnsmasq.pid'), namesFile: this.namesFile, user: user.name,
    });
    await this.writeNames();
    await writeAtomic(conf, text, 0o600);
    return conf;
  }

  /** Prepares the lease file in the state dir; when that fails (EROFS: dnsmasq would not start
   *  without a lease file it can write) and there is a runtime dir, one there instead, seeded
   *  with the state dir's leases unless it already has its own (a start again within this
   *  run): the office keeps its addresses until the next reboot. Returns its path. */
  private async prepareLeases(user: SystemUser): Promise<string> {
    try {
      await prepareRunDir(this.o.stateDir, this.runDir, LEASES, user);
      return join(this.runDir, LEASES);
    } catch (e) {
      if (this.confDir === this.runDir) throw e;
      this.o.onError("dnsmasq's lease file in the state dir (kept on the runtime dir until a start finds the state dir writable)", e);
    }
    const fallback = join(this.confDir, LEASES);
    const own = await readFile(fallback, 'utf8').catch(() => null);
    if (own === null) {
      const seed = await readFile(join(this.runDir, LEASES), 'utf8').catch(() => '');
      await prepareSharedDir(this.runtimeDir, this.confDir, user);
      await writeAtomic(fallback, seed, 0o644);
    }
    await prepareRunDir(this.runtimeDir, this.confDir, LEASES, user);
    return fallback;
  }

  /** New names file text (renderNamesFile): written, then dnsmasq re-reads it on SIGHUP after
   *  a quiet time (a burst of staff decisions reloads once). Leases and sockets stay; names
   *  already on leases follow the new file at once. Never throws. */
  setNames(text: string): void {
    this.names = text;
    if (!this.sup || text === this.writtenNames) return;
    if (this.namesTimer) clearTimeout(this.namesTimer);
    this.namesTimer = setTimeout(() => void this.reloadNames(), this.o.namesDelayMs ?? 1000);
  }

  private async writeNames(): Promise<void> {
    const text = this.names;
    await writeAtomic(this.namesFile, text, 0o640);
    if (this.user) await shareWithGroup(this.namesFile, this.user);
    this.writtenNames = text;
  }

  private async reloadNames(): Promise<void> {
    this.namesTimer = null;
    const sup = this.sup;
    if (!sup || this.names === this.writtenNames) return;
    try {
      await this.writeNames();
      const pid = sup.pid();
      const h = sup.status();
      // A SIGHUP before dnsmasq has set up its handlers would kill it: wait until it has run a while.
      if (pid !== undefined && this.o.now() - h.since < 2000) {
        this.namesTimer = setTimeout(() => void this.reloadNames(), 500);
        return;
      }
      // Not running (backoff): the next start reads the new file.
      if (pid !== undefined) process.kill(pid, 'SIGHUP');
      this.counts.namesReloads++;
    } catch (e) {
      this.o.onError('dnsmasq names file', e);
    }
  }

  async stop(): Promise<void> {
    this.leases?.stop();
    if (this.namesTimer) clearTimeout(this.namesTimer);
    this.leases = null;
    this.namesTimer = null;
    const sup = this.sup;
    this.sup = null;
    await sup?.stop();
  }

  /** Reads the lease file when it changed. Never rejects. */
  async readLeases(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.leaseFile, 'utf8');
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') this.o.onError('dnsmasq lease file', e);
      return;
    }
    if (text === this.lastText) return;
    this.lastText = text;
    const r = parseLeases(text);
    this.counts.reads++;
    this.counts.leases = r.leases.length;
    this.counts.skipped += r.skipped;
    this.o.onLeases(r.leases);
  }

  status(): Record<string, unknown> {
    return { ...this.counts, user: this.user?.name ?? null, health: this.sup?.status() ?? null };
  }
}
