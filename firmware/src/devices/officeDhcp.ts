// Router mode: the office's DHCP server for one set of served ports. Starts dnsmasq
// (dnsmasqService.ts); when it cannot (a full disk, a busy directory), the `sensor:dnsmasq`
// condition says so and the start is tried again every 15 s (sensors/retriedStart.ts) until
// dnsmasq runs or this is stopped (the ports moved, utmd stops): the office gets its DHCP
// server back without a restart. A plan dnsmasq cannot serve (DnsmasqConfigError) is said,
// and not tried again.
import type { ConditionPort } from '../feature/contract.js';
import type { Logger } from '../sys/log.js';
import { DnsmasqConfigError } from './dnsmasq.js';
import { DnsmasqService, type DnsmasqServiceOptions } from './dnsmasqService.js';
import { scratchDir } from '../sys/paths.js';
import { EVERY_15_S, RetriedStart } from '../sensors/retriedStart.js';

export class OfficeDhcp {
  private readonly service: DnsmasqService;
  private readonly retried: RetriedStart<DnsmasqService>;

  /** `o.runtimeDir` defaults to the unit's tmpfs (sys/paths.ts scratchDir). */
  constructor(o: DnsmasqServiceOptions, ports: { conditions: ConditionPort; log: Pick<Logger, 'error'> }) {
    const service = new DnsmasqService({ runtimeDir: scratchDir(o.stateDir), ...o });
    this.service = service;
    this.retried = new RetriedStart<DnsmasqService>({
      id: 'sensor:dnsmasq', conditions: ports.conditions, log: ports.log, backoff: EVERY_15_S,
      final: (e) => e instanceof DnsmasqConfigError,
      start: async () => {
        try {
          await service.start();
          return service;
        } catch (e) {
          await service.stop();
          throw e;
        }
      },
      stop: (s) => s.stop(),
    });
  }

  /** Starts dnsmasq; on failure says so and tries again later. Never throws. */
  start(): Promise<void> {
    return this.retried.start();
  }

  /** The running dnsmasq; null while it starts or waits to be tried again. */
  current(): DnsmasqService | null {
    return this.retried.current();
  }

  /** New names file text: written now or at the next start (DnsmasqService.setNames). */
  setNames(text: string): void {
    this.service.setNames(text);
  }

  /** Ends the retries and dnsmasq. */
  stop(): Promise<void> {
    return this.retried.stop();
  }
}
