// Router mode: the office's DHCP server for one set of served ports. Starts dnsmasq
// (dnsmasqService.ts); when it cannot (a full disk, a busy directory), the `sensor:dnsmasq`
// condition says so and the start is tried again every RETRY_MS until dnsmasq runs or this is
// stopped (the ports moved, utmd stops): the office gets its DHCP server back without a
// restart. A plan dnsmasq cannot serve (DnsmasqConfigError) is said, and not tried again.
import type { ConditionPort } from '../feature/contract.js';
import { DnsmasqConfigError } from './dnsmasq.js';
import { DnsmasqService, type DnsmasqServiceOptions } from './dnsmasqService.js';
import { scratchDir } from '../sys/paths.js';

/** How long a DHCP server that could not start waits before it is tried again. */
const RETRY_MS = 15_000;

export class OfficeDhcp {
  private readonly service: DnsmasqService;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;

  /** `o.runtimeDir` defaults to the unit's tmpfs (sys/paths.ts scratchDir). */
  constructor(o: DnsmasqServiceOptions, private readonly conditions: ConditionPort) {
    this.service = new DnsmasqService({ runtimeDir: scratchDir(o.stateDir), ...o });
  }

  /** Starts dnsmasq; on failure says so and tries again later. Never throws. */
  async start(): Promise<void> {
    this.retry = null;
    if (this.stopped) return;
    try {
      await this.service.start();
    } catch (e) {
      const again = !(e instanceof DnsmasqConfigError);
      this.conditions.set('sensor:dnsmasq', false, `cannot start: ${(e as Error).message}${again ? `; trying again in ${RETRY_MS / 1000} s` : ''}`);
      await this.service.stop();
      if (!again || this.stopped) return;
      this.retry = setTimeout(() => void this.start(), RETRY_MS);
      this.retry.unref();
    }
  }

  /** The running (or starting) dnsmasq; null while it waits to be tried again. */
  current(): DnsmasqService | null {
    return this.retry ? null : this.service;
  }

  /** New names file text: written now or at the next start (DnsmasqService.setNames). */
  setNames(text: string): void {
    this.service.setNames(text);
  }

  /** Ends the retries and dnsmasq. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    await this.service.stop();
  }
}
