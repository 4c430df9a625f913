// The observation path as one feature with start()/stop(): sets the conntrack sysctls,
// binds the loopback listener, then starts the supervised ulogd2 sending to it. The
// composition root builds one of these and passes events/health/loss on to the bus.
import type { SensorEvent } from './events.js';
import { type DatagramParser, type ListenerCounters, UdpEventListener } from './listener.js';
import { ulogdParsers } from './parsers.js';
import type { SupervisorHealth } from './supervisor.js';
import { UlogdSensor, type UlogdLossStats } from './ulogd.js';
import { CONNTRACK_SYSCTLS, setSysctls } from '../sys/sysctl.js';

export interface ObservationOptions {
  stateDir: string;
  /** Where ulogd.conf goes (sys/paths.ts scratchDir: the unit's tmpfs); default stateDir. */
  configDir?: string | undefined;
  nflogGroups: number[];
  nfct: { enabled: boolean; eventMask?: number | undefined; pollInterval?: number | undefined };
  now: () => number;
  onEvent: (event: SensorEvent) => void;
  onHealth: (health: SupervisorHealth) => void;
  onLoss?: ((stats: UlogdLossStats) => void) | undefined;
  onLogLine?: ((line: string) => void) | undefined;
  /** Fixed loopback port, or 0 (default) to let the kernel choose. */
  udpPort?: number | undefined;
  parsers?: DatagramParser[] | undefined;
  pluginDir?: string | undefined;
  /** Default 8 MiB / 32 MiB (ARCHITECTURE.md measurements). */
  netlinkBufferSize?: number | undefined;
  netlinkBufferMaxSize?: number | undefined;
  /** Default true; tests running several instances in one namespace may turn it off. */
  setSysctls?: boolean | undefined;
  procRoot?: string | undefined;
}

export interface ObservationStatus {
  port: number;
  recvBufferBytes: number;
  listener: ListenerCounters;
  ulogd: SupervisorHealth | undefined;
  loss: UlogdLossStats | undefined;
}

export class Observation {
  private listener: UdpEventListener | undefined;
  private ulogd: UlogdSensor | undefined;

  constructor(private readonly opts: ObservationOptions) {}

  /** Sysctls, listener, then ulogd2. Throws SysctlError, ListenerError, UlogdConfigError. */
  async start(): Promise<void> {
    if (this.listener) return;
    const o = this.opts;
    if (o.setSysctls ?? true) await setSysctls(CONNTRACK_SYSCTLS, o.procRoot);
    const listener = new UdpEventListener({
      port: o.udpPort ?? 0, parsers: o.parsers ?? ulogdParsers(), onEvent: o.onEvent, now: o.now,
    });
    const port = await listener.start();
    this.listener = listener;
    this.ulogd = new UlogdSensor({
      stateDir: o.stateDir, configDir: o.configDir, now: o.now, onHealth: o.onHealth, onLoss: o.onLoss, onLogLine: o.onLogLine,
      config: {
        pluginDir: o.pluginDir ?? '/usr/lib/x86_64-linux-gnu/ulogd',
        nflogGroups: o.nflogGroups, udpPort: port, nfct: o.nfct,
        netlinkBufferSize: o.netlinkBufferSize ?? 8 * 1024 * 1024,
        netlinkBufferMaxSize: o.netlinkBufferMaxSize ?? 32 * 1024 * 1024,
      },
    });
    await this.ulogd.start();
  }

  /** Stop ulogd2 (waits until gone), then close the socket. */
  async stop(): Promise<void> {
    await this.ulogd?.stop();
    await this.listener?.stop();
    this.ulogd = undefined;
    this.listener = undefined;
  }

  /** Pid of the running ulogd2, if any. */
  ulogdPid(): number | undefined {
    return this.ulogd?.pid();
  }

  /** Counters and health for the status page, utmctl and upstream. */
  status(): ObservationStatus {
    return {
      port: this.listener?.port() ?? 0,
      recvBufferBytes: this.listener?.recvBufferSize() ?? 0,
      listener: this.listener?.counters() ?? { received: 0, dispatched: 0, unhandled: 0, foreignSource: 0, handlerErrors: 0, malformed: {} },
      ulogd: this.ulogd?.health(),
      loss: this.ulogd?.lossStats(),
    };
  }
}
