// Adapter: keeps the page's allowed host names current. Reads the host name and the DHCP /
// search domains now and then (files are optional), and takes the box's addresses from the
// current network plan at every call. Never throws at a request.
import { readdir, readFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { allowedHosts, parseDomains } from './hostNames.js';

export interface HostNamesOptions {
  addresses: () => readonly string[];
  boxName?: string | undefined;
  localDomain?: string | undefined;
  /** resolv.conf files and lease folders to read domains from. */
  files?: readonly string[] | undefined;
  leaseDirs?: readonly string[] | undefined;
  refreshMs?: number | undefined;
  onError?: ((e: unknown) => void) | undefined;
}

const DEFAULT_FILES = ['/etc/resolv.conf', '/run/systemd/resolve/resolv.conf'];
const DEFAULT_LEASE_DIRS = ['/run/systemd/netif/leases', '/var/lib/dhcp'];

async function textOf(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).slice(0, 64 * 1024);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') return '';
    throw e;
  }
}

async function filesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort().slice(0, 32).map((f) => join(dir, f));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

export class HostNames {
  #hostname = osHostname();
  #domains: string[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: HostNamesOptions) {}

  /** The allowed Host values now. */
  current(): string[] {
    return allowedHosts({ addresses: this.o.addresses(), hostname: this.#hostname, domains: this.#domains, boxName: this.o.boxName, localDomain: this.o.localDomain });
  }

  /** Reads the host name and domains again. */
  async refresh(): Promise<void> {
    this.#hostname = osHostname();
    const paths = [...(this.o.files ?? DEFAULT_FILES)];
    for (const d of this.o.leaseDirs ?? DEFAULT_LEASE_DIRS) paths.push(...(await filesIn(d)));
    const domains: string[] = [];
    for (const p of paths) for (const d of parseDomains(await textOf(p))) if (!domains.includes(d)) domains.push(d);
    this.#domains = domains.slice(0, 8);
  }

  async start(): Promise<void> {
    await this.refresh().catch((e: unknown) => this.o.onError?.(e));
    this.#timer = setInterval(() => {
      this.refresh().catch((e: unknown) => this.o.onError?.(e));
    }, this.o.refreshMs ?? 60_000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
