// systemd readiness and watchdog for utmd (Type=notify, WatchdogSec= in utmd.service).
// Node's dgram has no AF_UNIX datagram sockets, so the messages go through systemd's own
// `systemd-notify` (execFile, argv only). systemd-notify waits for the manager to have
// processed the message (sd_notify_barrier), so systemd attributes it to our unit even
// though the sender is a short-lived child; the unit sets NotifyAccess=all for that reason.
// The watchdog ping runs on utmd's event loop: a hung loop sends none and systemd restarts
// utmd (the ruleset stays in the kernel). Outside systemd (no NOTIFY_SOCKET) it does nothing.
import { execFile } from 'node:child_process';
import { Poller } from '../time/poller.js';

export type NotifyRunner = (args: readonly string[]) => Promise<void>;

/** Runs systemd-notify with args; rejects when it fails or takes over 5 s. */
export const systemdNotify: NotifyRunner = (args) =>
  new Promise((resolve, reject) => {
    execFile('systemd-notify', [...args], { timeout: 5000 }, (err) => {
      if (err) reject(err instanceof Error ? err : new Error('systemd-notify failed'));
      else resolve();
    });
  });

/** How often to ping for a WATCHDOG_USEC value (half the period, as sd_watchdog_enabled advises); null when off. */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid: number): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  // WATCHDOG_PID, when set, names the process the watchdog is meant for.
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(500, Math.floor(usec / 2000));
}

export interface SdNotifierDeps {
  env: NodeJS.ProcessEnv;
  pid: number;
  run: NotifyRunner;
  /** Called with each failed notification (logged by the daemon, never fatal). */
  onError: (e: unknown) => void;
}

/** Tells systemd when utmd is ready and keeps its watchdog fed while the event loop runs. */
export class SdNotifier {
  private pings: Poller | undefined;
  constructor(private readonly d: SdNotifierDeps) {}

  /** True when utmd runs under systemd with a notify socket. */
  get enabled(): boolean {
    return typeof this.d.env.NOTIFY_SOCKET === 'string' && this.d.env.NOTIFY_SOCKET !== '';
  }

  /** Sends READY=1 with a status line and starts the watchdog pings (if WatchdogSec= is set). */
  async ready(status: string): Promise<void> {
    if (!this.enabled) return;
    await this.send(['--ready', `--status=${status.slice(0, 200)}`]);
    const every = watchdogIntervalMs(this.d.env, this.d.pid);
    if (every !== null && this.pings === undefined) {
      this.pings = new Poller({ everyMs: every, run: () => this.ping() });
      this.pings.start();
    }
  }

  /** Sends STOPPING=1 and stops the pings. */
  async stop(): Promise<void> {
    this.pings?.stop();
    this.pings = undefined;
    if (this.enabled) await this.send(['--stopping']);
  }

  /** One ping; the poller never starts one while another runs (a slow systemd-notify must not
   *  pile up children). */
  private async ping(): Promise<void> {
    await this.send(['WATCHDOG=1']);
  }

  private async send(args: string[]): Promise<void> {
    try {
      await this.d.run(args);
    } catch (e) {
      this.d.onError(e);
    }
  }
}
