// A service utmd must offer but can live without for a while: the page and the control socket
// (app/daemon.ts), the sensors (app/sensing.ts), the office's DHCP server (devices/officeDhcp.ts).
// A failure to start it (port in use, address not present, a full or read-only disk) is a
// condition, like a dead sensor, and the start is tried again with backoff (capped, or fixed),
// never a crash loop of utmd. stop() ends the retries and the service, and leaves nothing
// running.
import { DEFAULT_BACKOFF, nextBackoff, type BackoffOptions } from './supervisor.js';
import type { Logger } from '../sys/log.js';

/** A fixed wait between tries: the children's starts (ulogd2, dnsmasq), tried every 15 s. */
export const EVERY_15_S: BackoffOptions = { initialMs: 15_000, maxMs: 15_000, factor: 1 };

export interface RetriedStartOptions<T> {
  /** The condition's id ('page', 'control', 'sensor:ulogd'). */
  id: string;
  /** Starts the service; rejects when it cannot (and leaves nothing half-started). */
  start: () => Promise<T>;
  /** Stops a started service. */
  stop: (service: T) => Promise<void> | void;
  /** The condition's detail once the service started; absent: once started, the condition is
   *  the service's own (a supervised child says whether it runs, crashes or waits: a "running"
   *  set here could hide a child that is not). */
  describe?: ((service: T) => string) | undefined;
  /** A failure not worth trying again (a plan the service cannot take): said, not retried. */
  final?: ((e: unknown) => boolean) | undefined;
  conditions: { set(id: string, ok: boolean, detail?: string): void };
  log: Pick<Logger, 'error'>;
  backoff?: Partial<BackoffOptions> | undefined;
}

type State = 'idle' | 'starting' | 'running' | 'waiting' | 'stopped';

export class RetriedStart<T> {
  private state: State = 'idle';
  private service: T | null = null;
  private timer: NodeJS.Timeout | null = null;
  private attempt: Promise<void> = Promise.resolve();
  private delayMs: number;
  private readonly backoff: BackoffOptions;
  readonly counts = { attempts: 0, failures: 0 };
  private lastError: string | null = null;

  constructor(private readonly o: RetriedStartOptions<T>) {
    this.backoff = { ...DEFAULT_BACKOFF, ...o.backoff };
    this.delayMs = this.backoff.initialMs;
  }

  /** Tries once now; on failure the condition goes bad and retries follow. Never throws. */
  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    this.tryStart();
    await this.attempt;
  }

  /** The running service, or null while it is down. */
  current(): T | null {
    return this.service;
  }

  /** State, attempts and the last failure, for `utmctl status`. */
  status(): { state: State; attempts: number; failures: number; lastError: string | null } {
    return { state: this.state, ...this.counts, lastError: this.lastError };
  }

  private tryStart(): void {
    this.state = 'starting';
    this.timer = null;
    this.counts.attempts++;
    this.attempt = this.o.start().then(
      (s) => this.started(s),
      (e: unknown) => this.failed(e),
    );
  }

  private async started(s: T): Promise<void> {
    if (this.state === 'stopped') {
      await this.o.stop(s);
      return;
    }
    this.service = s;
    this.state = 'running';
    this.delayMs = this.backoff.initialMs;
    this.lastError = null;
    if (this.o.describe) this.o.conditions.set(this.o.id, true, this.o.describe(s));
  }

  private failed(e: unknown): void {
    this.counts.failures++;
    if (this.state === 'stopped') return;
    this.lastError = e instanceof Error ? e.message : String(e);
    if (this.o.final?.(e)) {
      this.o.log.error(`${this.o.id} cannot start; not tried again`, e);
      this.o.conditions.set(this.o.id, false, `cannot start: ${this.lastError.slice(0, 200)}`);
      this.state = 'stopped';
      return;
    }
    const b = nextBackoff(this.delayMs, 0, Number.POSITIVE_INFINITY, this.backoff);
    this.delayMs = b.nextMs;
    const again = `trying again in ${Math.round(b.delayMs / 1000)} s`;
    this.o.log.error(`${this.o.id} could not start; ${again}`, e);
    this.o.conditions.set(this.o.id, false, `cannot start: ${this.lastError.slice(0, 200)}; ${again}`);
    this.state = 'waiting';
    this.timer = setTimeout(() => this.tryStart(), b.delayMs);
    this.timer.unref();
  }

  /** Ends the retries and stops the service; waits for a start in progress. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.attempt;
    const s = this.service;
    this.service = null;
    if (s !== null) await this.o.stop(s);
  }
}
