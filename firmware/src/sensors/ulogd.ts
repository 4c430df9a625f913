// The ulogd2 sensor: writes the rendered ulogd.conf into its config dir (the unit's tmpfs; the
// state dir when there is none) and runs
// `ulogd -c FILE` in the foreground under the Supervisor (ulogd2 2.0.8 stays in the
// foreground unless -d is given). ulogd2 logs to stdout (logfile="stdout"); its lines are
// classified to detect readiness and to count netlink loss messages.
//
// Order at start: bind the UdpEventListener first, pass its port here, then start().
import path from 'node:path';
import { systemBin } from '../sys/bin.js';
import { CHILDREN_DIR } from '../sys/childRecords.js';
import { inWritableDir } from '../sys/writableDir.js';
import { writeAtomic } from '../sys/files.js';
import { Supervisor, type BackoffOptions, type SupervisorHealth } from './supervisor.js';
import { renderUlogdConfig, type UlogdConfigInput } from './ulogdConfig.js';
import { classifyUlogdLine } from './ulogdLog.js';

export interface UlogdLossStats {
  /** "We are losing events…" lines (each is at least one lost netlink batch). */
  lossMessages: number;
  /** Plugins whose buffer hit the maximum: from then on ulogd2 loses events silently. */
  maxBufferReached: { NFCT: boolean; NFLOG: boolean };
  lastLossAt?: number | undefined;
  /** Error/fatal lines seen (level >= 7). */
  errorLines: number;
  lastError?: string | undefined;
}

export interface UlogdSensorOptions {
  stateDir: string;
  /** Where ulogd.conf is written (default stateDir); the child records stay in stateDir. */
  configDir?: string | undefined;
  /** Rendered into ulogd.conf; logFile is forced to "stdout". */
  config: Omit<UlogdConfigInput, 'logFile'>;
  now: () => number;
  onHealth: (health: SupervisorHealth) => void;
  /** Called on every loss line with the updated totals. */
  onLoss?: ((stats: UlogdLossStats) => void) | undefined;
  /** Raw log lines, for a technician log. */
  onLogLine?: ((line: string) => void) | undefined;
  ulogdPath?: string | undefined;
  /** Put before the ulogd argv, e.g. ['/usr/sbin/ip', 'netns', 'exec', NS]. */
  argvPrefix?: readonly string[] | undefined;
  backoff?: Partial<BackoffOptions> | undefined;
  stableAfterMs?: number | undefined;
  /** SIGKILL ulogd2 if utmd dies (default true); see SupervisorOptions.killWithParent. */
  killWithParent?: boolean | undefined;
}

export const ULOGD_CONF_NAME = 'ulogd.conf';

export class UlogdSensor {
  private supervisor: Supervisor | undefined;
  private stats: UlogdLossStats = {
    lossMessages: 0, maxBufferReached: { NFCT: false, NFLOG: false }, errorLines: 0,
  };

  /** Where ulogd.conf is: the config dir, or the state dir while that is full. */
  private confDir: string;

  constructor(private readonly opts: UlogdSensorOptions) {
    this.confDir = opts.configDir ?? opts.stateDir;
  }

  /** Path of the rendered config file. */
  configPath(): string {
    return path.join(this.confDir, ULOGD_CONF_NAME);
  }

  /** Render and write the config (atomically; in the state dir when the config dir is full),
   *  then start ulogd2 under supervision. */
  async start(): Promise<void> {
    if (this.supervisor) return;
    const text = renderUlogdConfig({ ...this.opts.config, logFile: 'stdout' });
    this.confDir = await inWritableDir([this.opts.configDir ?? this.opts.stateDir, this.opts.stateDir], async (dir) => {
      await writeAtomic(path.join(dir, ULOGD_CONF_NAME), text, 0o600);
      return dir;
    });
    this.supervisor = new Supervisor({
      id: 'ulogd',
      argv: [...(this.opts.argvPrefix ?? []), this.opts.ulogdPath ?? systemBin('ulogd'),
        '-c', this.configPath()],
      now: this.opts.now,
      onHealth: this.opts.onHealth,
      isReady: (line) => classifyUlogdLine(line).kind === 'ready',
      onLine: (line) => this.onLine(line),
      backoff: this.opts.backoff,
      stableAfterMs: this.opts.stableAfterMs,
      maxLineLength: 1024,
      killWithParent: this.opts.killWithParent ?? true,
      recordDir: path.join(this.opts.stateDir, CHILDREN_DIR),
    });
    this.supervisor.start();
  }

  /** Stop ulogd2 and wait until it is gone. */
  async stop(): Promise<void> {
    const s = this.supervisor;
    this.supervisor = undefined;
    await s?.stop();
  }

  /** Health of the ulogd2 process. */
  health(): SupervisorHealth | undefined {
    return this.supervisor?.status();
  }

  /** Pid of the running ulogd2 (tests kill it to prove the restart). */
  pid(): number | undefined {
    return this.supervisor?.pid();
  }

  /** Loss counters parsed from ulogd2's log. */
  lossStats(): UlogdLossStats {
    return { ...this.stats, maxBufferReached: { ...this.stats.maxBufferReached } };
  }

  private onLine(line: string): void {
    this.opts.onLogLine?.(line);
    const c = classifyUlogdLine(line);
    switch (c.kind) {
      case 'loss-growing':
      case 'loss-unbounded':
        this.stats.lossMessages++;
        break;
      case 'loss-max-reached':
        this.stats.lossMessages++;
        this.stats.maxBufferReached[c.plugin] = true;
        break;
      case 'error':
        this.stats.errorLines++;
        this.stats.lastError = c.text;
        return;
      default:
        return;
    }
    this.stats.lastLossAt = this.opts.now();
    this.opts.onLoss?.(this.lossStats());
  }
}
