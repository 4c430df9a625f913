// Runs a program with an argv array (never a shell string), optional data on stdin,
// a timeout and a cap on captured output. Every outside program goes through here.
import { spawn, type ChildProcess } from 'node:child_process';
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
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.reject(new RunError('empty argv', argv, null, ''));
  const max = opts.maxOutput ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    } catch (e) {
      // Some spawn failures throw synchronously (EINVAL, ENOMEM): still an error, not a crash.
      reject(new RunError(`cannot run ${cmd}: ${errorMessage(e)}`, argv, null, '', { cause: e }));
      return;
    }
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
    child.on('error', (e) => settle(() => reject(new RunError(`cannot run ${cmd}: ${e.message}`, argv, null, '', { cause: e }))));
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    let timedOut = false;
    if (opts.timeoutMs) {
      timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, opts.timeoutMs);
    }
    child.stdout?.on('data', (b: Buffer) => {
      if (outLen < max) out.push(b.subarray(0, max - outLen));
      outLen += b.length;
    });
    child.stderr?.on('data', (b: Buffer) => {
      if (errLen < max) err.push(b.subarray(0, max - errLen));
      errLen += b.length;
    });
    child.on('close', (code) => settle(() => {
      const result = { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code };
      if (timedOut) reject(new RunError(`${cmd} timed out after ${opts.timeoutMs} ms`, argv, code, result.stderr));
      else if (code !== 0 && !opts.allowFailure)
        reject(new RunError(`${cmd} exited with ${code}: ${firstLine(result.stderr)}`, argv, code, result.stderr));
      else resolve(result);
    }));
    // A child that exits before reading stdin raises EPIPE on the stream; the exit code tells the story.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(opts.stdin ?? '');
  });
}

function firstLine(s: string): string {
  return (s.split('\n').find((l) => l.trim() !== '') ?? '').slice(0, 300);
}
