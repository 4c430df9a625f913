// Runs a program with an argv array (never a shell string), optional data on stdin,
// a timeout and a cap on captured output. Every outside program goes through here.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { errorMessage } from '../errors/errorText.js';

export class RunError extends Error {
  override name = 'RunError';
  constructor(
    message: string,
    readonly argv: readonly string[],
    readonly code: number | null,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface RunOptions {
  stdin?: string | Buffer | undefined;
  timeoutMs?: number | undefined;
  /** Bytes kept of stdout and of stderr each; the rest is discarded (default 64 MiB). */
  maxOutput?: number | undefined;
  /** Resolve instead of throwing on a non-zero exit. */
  allowFailure?: boolean | undefined;
  env?: NodeJS.ProcessEnv | undefined;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs argv[0] with argv[1..]; throws RunError on spawn failure, timeout or non-zero exit. */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return start(argv, opts, false).go(opts.stdin ?? '');
}

/** A program started now that waits for its input (`go`): its start, a fork of this whole
 *  process (~7 ms at 150 MB RSS here, scaling with it), falls on a quiet moment instead of a
 *  busy one. */
export interface WaitingRun {
  /** Writes `stdin`, ends it, and settles as `run` does (the timeout counts from here). Once. */
  go(stdin: string | Buffer): Promise<RunResult>;
  /** Whether it ended (or never started) before `go`: then `go` only reports that. */
  readonly ended: boolean;
  /** Ends it (a waiting one that is not needed after all). */
  kill(): void;
}

/** Starts argv; `opts.stdin` is ignored (`go` gives it). Until `go` the process does not keep
 *  this one running (a CLI or a test may end with one still waiting: its stdin then closes,
 *  and a program reading it ends). */
export function startWaiting(argv: readonly string[], opts: RunOptions = {}): WaitingRun {
  return start(argv, opts, true);
}

/** Starts argv; `waits`: until `go` it does not hold this process's event loop. */
function start(argv: readonly string[], opts: RunOptions, waits: boolean): WaitingRun {
  const [cmd, ...args] = argv;
  let ended = false;
  let child: ChildProcess | undefined;
  let arm = (): void => undefined;
  const max = opts.maxOutput ?? 64 * 1024 * 1024;
  const result = new Promise<RunResult>((resolve, reject) => {
    if (!cmd) {
      reject(new RunError('empty argv', argv, null, ''));
      return;
    }
    try {
      child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    } catch (e) {
      // Some spawn failures throw synchronously (EINVAL, ENOMEM): still an error, not a crash.
      reject(new RunError(`cannot run ${cmd}: ${errorMessage(e)}`, argv, null, '', { cause: e }));
      return;
    }
    const proc = child;
    // The error handler first: on EMFILE/ENFILE Node emits 'error' on the next tick and the
    // child has no stdio streams at all, so touching child.stdout before this used to throw
    // (TypeError) and leave 'error' unhandled, which ended utmd.
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      f();
    };
    let timer: NodeJS.Timeout | undefined;
    proc.on('error', (e) => settle(() => reject(new RunError(`cannot run ${cmd}: ${e.message}`, argv, null, '', { cause: e }))));
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    let timedOut = false;
    arm = (): void => {
      if (!opts.timeoutMs || settled) return;
      timer = setTimeout(() => {
        timedOut = true;
        proc.kill('SIGKILL');
      }, opts.timeoutMs);
    };
    proc.stdout?.on('data', (b: Buffer) => {
      if (outLen < max) out.push(b.subarray(0, max - outLen));
      outLen += b.length;
    });
    proc.stderr?.on('data', (b: Buffer) => {
      if (errLen < max) err.push(b.subarray(0, max - errLen));
      errLen += b.length;
    });
    proc.on('close', (code) => settle(() => {
      const result = { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code };
      if (timedOut) reject(new RunError(`${cmd} timed out after ${opts.timeoutMs} ms`, argv, code, result.stderr));
      else if (code !== 0 && !opts.allowFailure)
        reject(new RunError(`${cmd} exited with ${code}: ${firstLine(result.stderr)}`, argv, code, result.stderr));
      else resolve(result);
    }));
    // A child that exits before reading stdin raises EPIPE on the stream; the exit code tells the story.
    proc.stdin?.on('error', () => undefined);
    if (waits) hold(proc, false);
  });
  // settled before `go` (killed, failed to start): reported by go, not as an unhandled rejection
  result.then(() => { ended = true; }, () => { ended = true; });
  return {
    go(stdin) {
      if (child && waits) hold(child, true);
      arm();
      child?.stdin?.end(stdin);
      return result;
    },
    get ended() {
      return ended;
    },
    kill() {
      child?.kill('SIGKILL');
    },
  };
}

/** Whether a child and its pipes keep this process's event loop alive. */
function hold(child: ChildProcess, on: boolean): void {
  // the pipes are sockets (net.Socket), typed as plain streams
  const pipes = [child.stdin, child.stdout, child.stderr] as unknown as Array<Pick<Socket, 'ref' | 'unref'> | null>;
  for (const h of [child, ...pipes]) {
    if (on) h?.ref();
    else h?.unref();
  }
}

function firstLine(s: string): string {
  return (s.split('\n').find((l) => l.trim() !== '') ?? '').slice(0, 300);
}
