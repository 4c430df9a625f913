// Adapter (router mode only): renders dnsmasq's config into the state dir, supervises
// `dnsmasq --keep-in-foreground`, and watches its lease file; each lease becomes a sighting.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from '../sys/files.js';
import { systemBin } from '../sys/bin.js';
import { CHILDREN_DIR } from '../sys/childRecords.js';
import { Supervisor, type SupervisorHealth } from '../sensors/supervisor.js';
import { parseLeases, renderDnsmasqConfig, type DnsmasqPlan, type Lease } from './dnsmasq.js';

export interface DnsmasqServiceOptions {
  stateDir: string;
  plan: Omit<DnsmasqPlan, 'leaseFile' | 'pidFile'>;
  now: () => number;
  onHealth: (h: SupervisorHealth) => void;
  onLeases: (leases: Lease[]) => void;
  onError: (what: string, e: unknown) => void;
  pollMs?: number | undefined;
}

export class DnsmasqService {
  private sup: Supervisor | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastText = '';
  readonly counts = { reads: 0, leases: 0, skipped: 0 };

  constructor(private readonly o: DnsmasqServiceOptions) {}

  get leaseFile(): string {
    return join(this.o.stateDir, 'dnsmasq.leases');
  }

  /** Writes the config and starts dnsmasq; throws DnsmasqConfigError for an unusable plan. */
  async start(): Promise<void> {
    const conf = join(this.o.stateDir, 'dnsmasq.conf');
    await writeAtomic(conf, renderDnsmasqConfig({ ...this.o.plan, leaseFile: this.leaseFile, pidFile: join(this.o.stateDir, 'dnsmasq.pid') }), 0o600);
    this.sup = new Supervisor({
      id: 'dnsmasq',
      argv: [systemBin('dnsmasq'), '--keep-in-foreground', `--conf-file=${conf}`, '--log-facility=-'],
      now: this.o.now,
      killWithParent: true,
      recordDir: join(this.o.stateDir, CHILDREN_DIR),
      onHealth: this.o.onHealth,
    });
    this.sup.start();
    this.timer = setInterval(() => void this.readLeases(), this.o.pollMs ?? 2000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sup?.stop();
    this.sup = null;
  }

  /** Reads the lease file when it changed. Never rejects. */
  async readLeases(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.leaseFile, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.o.onError('dnsmasq lease file', e);
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
    return { ...this.counts, health: this.sup?.status() ?? null };
  }
}
