// Generic child-process supervisor: runs one program (argv, no shell) in its own process
// group, restarts it with capped exponential backoff, resets the backoff after a stable
// uptime, and reports health so that a dead sensor is a visible condition. stop() kills the
// whole group and waits until it is gone. Used for ulogd2; meant for tcpdump and dnsmasq.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { systemBin } from '../sys/bin.js';
import { forgetChild, recordChild } from '../sys/childRecords.js';
import { LineSplitter } from './lineSplitter.js';
import { errnoCode, errorMessage } from '../errors/errorText.js';

export interface SupervisorHealth {
  id: string;
  /** Running (and ready, when the options define readiness). */
  ok: boolean;
  /** When `ok` last changed (ms, from the injected clock). */
  since: number;
  /** Short technician-readable state, e.g. "exited code=1; restart in 400 ms". */
  detail: string;
  /** Restarts since start() (the first spawn is not a restart). */
  restarts: number;
  pid?: number | undefined;
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export interface SupervisorOptions {
  id: string;
  /** Program and arguments; argv[0] is looked up in PATH. */
  argv: readonly string[];
  env?: NodeJS.ProcessEnv | undefined;
  now: () => number;
  onHealth: (health: SupervisorHealth) => void;
  /** Every output line of the child, cut at maxLineLength. */
  onLine?: ((line: string, stream: 'stdout' | 'stderr') => void) | undefined;
  /** Binary stdout (e.g. a pcap stream from tcpdump): when given, stdout is handed over raw
   *  with the pid of the child that wrote it (a new pid starts a new stream) instead of as lines. */
  onStdout?: ((chunk: Buffer, pid: number) => void) | undefined;
  /** If given, the child counts as ok only once a line satisfies it; else as soon as spawned. */
  isReady?: ((line: string) => boolean) | undefined;
  backoff?: Partial<BackoffOptions> | undefined;
  /** An exit after at least this uptime restarts at the initial delay again. */
  stableAfterMs?: number | undefined;
  /** Grace between SIGTERM and SIGKILL in stop(). */
  stopTimeoutMs?: number | undefined;
  maxLineLength?: number | undefined;
  /**
   * Have the kernel SIGKILL the child if utmd itself dies (util-linux `setpriv --pdeathsig`,
   * kept across exec). Without it a crashed utmd leaves an orphan sensor behind that the
   * next utmd's sensor would compete with.
   */
  killWithParent?: boolean | undefined;
  /**
   * Directory (in the state dir) where the child's pid and start time are recorded while it
   * runs, so that a utmd restarted after kill -9 ends exactly this leftover (sys/childRecords).
   * The parent-death signal alone does not cover children that change uid (dnsmasq, tcpdump):
   * the kernel clears it then.
   */
  recordDir?: string | undefined;
}


export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 60_000, factor: 2 };

/**
 * Pure backoff step: the delay before the next start and the delay to remember after it.
 * A run that lasted `stableAfterMs` or more starts over at `initialMs`.
 */
export function nextBackoff(
  current: number, uptimeMs: number, stableAfterMs: number, b: BackoffOptions,
): { delayMs: number; nextMs: number } {
  const delayMs = uptimeMs >= stableAfterMs ? b.initialMs : Math.min(current, b.maxMs);
  return { delayMs, nextMs: Math.min(delayMs * b.factor, b.maxMs) };
}

type State = 'idle' | 'running' | 'waiting' | 'stopping';

export class Supervisor {
  private state: State = 'idle';
  private child: ChildProcess | undefined;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private currentDelay: number;
  private readonly backoff: BackoffOptions;
  private health: SupervisorHealth;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly opts: SupervisorOptions) {
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.currentDelay = this.backoff.initialMs;
    this.health = { id: opts.id, ok: false, since: opts.now(), detail: 'not started', restarts: 0 };
  }

  /** Start supervising; no-op when already started. Never throws for a failing program. */
  start(): void {
    if (this.state !== 'idle') return;
    this.currentDelay = this.backoff.initialMs;
    this.spawnChild();
  }

  /** Stop supervising; kills the child's process group and resolves once it is gone. */
  async stop(): Promise<void> {
    if (this.state === 'idle') return;
    this.state = 'stopping';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const child = this.child;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      killGroup(child.pid, 'SIGTERM');
      const graceful = await Promise.race([
        this.exited.then(() => true),
        delay(this.opts.stopTimeoutMs ?? 3000).then(() => false),
      ]);
      if (!graceful) killGroup(child.pid, 'SIGKILL');
      await this.exited;
    }
    if (child?.pid !== undefined) await reapGroup(child.pid, this.opts.stopTimeoutMs ?? 3000);
    this.child = undefined;
    this.state = 'idle';
    this.setHealth(false, 'stopped', undefined, false);
  }

  /** Current health snapshot. */
  status(): SupervisorHealth {
    return { ...this.health };
  }

  /** Pid of the running child, if any. */
  pid(): number | undefined {
    return this.state === 'running' ? this.child?.pid : undefined;
  }

  private setHealth(ok: boolean, detail: string, pid: number | undefined, emit = true): void {
    const since = ok !== this.health.ok ? this.opts.now() : this.health.since;
    this.health = { id: this.opts.id, ok, since, detail, restarts: this.health.restarts, pid };
    if (emit) this.opts.onHealth({ ...this.health });
  }

  /** After a failed start or an exit: health down, then a restart after the backoff delay. */
  private retryLater(what: string): void {
    const uptime = this.opts.now() - this.startedAt;
    const b = nextBackoff(this.currentDelay, uptime, this.opts.stableAfterMs ?? 30_000, this.backoff);
    this.currentDelay = b.nextMs;
    this.state = 'waiting';
    this.setHealth(false, `${what}; restart in ${b.delayMs} ms`, undefined);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.state !== 'waiting') return;
      this.health.restarts++;
      this.spawnChild();
    }, b.delayMs);
  }

  private spawnChild(): void {
    const argv = this.opts.killWithParent
      ? [systemBin('setpriv'), '--pdeathsig', 'KILL', ...this.opts.argv]
      : this.opts.argv;
    const [cmd, ...args] = argv;
    if (cmd === undefined) throw new RangeError('Supervisor: empty argv');
    this.state = 'running';
    this.startedAt = this.opts.now();
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, {
        detached: true, // own process group: stop() can kill everything it started
        stdio: ['ignore', 'pipe', 'pipe'],
        env: this.opts.env ?? process.env,
      });
    } catch (e) {
      // A synchronous spawn failure (EINVAL, ENOMEM, …) is a failed start, retried with backoff.
      this.child = undefined;
      this.exited = Promise.resolve();
      this.retryLater(`cannot run ${cmd}: ${errnoCode(e) ?? errorMessage(e)}`);
      return;
    }
    this.child = child;
    const recordDir = this.opts.recordDir;
    let done = false;
    let resolveExit!: () => void;
    this.exited = new Promise<void>((r) => { resolveExit = r; });
    const ready = this.opts.isReady;
    const max = this.opts.maxLineLength ?? 4096;
    const raw = this.opts.onStdout;
    if (raw) child.stdout?.on('data', (chunk: Buffer) => { if (child.pid !== undefined) raw(chunk, child.pid); });
    for (const stream of raw ? ['stderr' as const] : ['stdout', 'stderr'] as const) {
      const splitter = new LineSplitter(max);
      const src = child[stream];
      src?.setEncoding('utf8');
      const deliver = (line: string): void => {
        if (ready && !this.health.ok && this.child === child && this.state === 'running' && ready(line)) {
          this.setHealth(true, `ready, pid ${child.pid}`, child.pid);
        }
        this.opts.onLine?.(line, stream);
      };
      src?.on('data', (chunk: string) => { for (const l of splitter.push(chunk)) deliver(l); });
      src?.on('end', () => { for (const l of splitter.flush()) deliver(l); });
    }
    child.on('spawn', () => {
      if (recordDir !== undefined && child.pid !== undefined) recordChild(recordDir, this.opts.id, child.pid, cmd);
      if (!ready) this.setHealth(true, `running, pid ${child.pid}`, child.pid);
    });
    const onEnd = (what: string): void => {
      if (done) return;
      done = true;
      resolveExit();
      if (recordDir !== undefined && child.pid !== undefined) forgetChild(recordDir, this.opts.id, child.pid);
      if (this.state !== 'running' || this.child !== child) return;
      this.retryLater(what);
    };
    child.on('error', (err: NodeJS.ErrnoException) => onEnd(`cannot run ${cmd}: ${err.code ?? err.message}`));
    child.on('exit', (code, signal) => onEnd(signal ? `killed by ${signal}` : `exited code=${code}`));
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function killGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ESRCH') return false; // group already gone
    throw err;
  }
}

/**
 * Live (non-zombie) members of process group `pgid`, from /proc. A zombie is already dead
 * and only waits for its new parent to reap it, so it does not count.
 */
export function liveGroupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we listed: that is the outcome we want
    }
    // "pid (comm) S ppid pgrp ...": comm may hold spaces and parens, so cut at the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X') out.push(Number(name));
  }
  return out;
}

/** After the leader exited: give the rest of the group `graceMs`, then SIGKILL it; wait until empty. */
async function reapGroup(pgid: number, graceMs: number): Promise<void> {
  const step = 20;
  for (let waited = 0; liveGroupMembers(pgid).length > 0; waited += step) {
    if (waited >= graceMs) killGroup(pgid, 'SIGKILL');
    if (waited >= graceMs + 5000) return; // unkillable (D state); nothing more we can do
    await delay(step);
  }
}
