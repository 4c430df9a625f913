// Runs host programs for the lab with argv arrays (never a shell string) and turns a
// non-zero exit into a typed CommandError carrying stderr.
import { execFile } from 'node:child_process';

export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    readonly argv: readonly string[],
    readonly code: number | string | null,
    readonly stdout: string,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    super(`${argv.join(' ')} failed (${String(code)}): ${stderr.trim().slice(0, 500)}`, options);
  }
}

export interface RunOptions {
  /** Data written to the child's stdin. */
  input?: string;
  /** Kill the child after this many milliseconds (default 30 s). */
  timeoutMs?: number;
  /** Working directory for the child. */
  cwd?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv[0] with the rest as arguments; resolves with exit code and output, never throws on exit code. */
export function runResult(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new TypeError('empty argv'));
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', cwd: opts.cwd, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (err === null) return resolve({ code: 0, stdout, stderr });
        const code = (err as NodeJS.ErrnoException & { code?: unknown }).code;
        if (typeof code === 'number') return resolve({ code, stdout, stderr });
        // Spawn failures (ENOENT) and timeouts are not exit codes: report them as errors.
        reject(new CommandError(argv, typeof code === 'string' ? code : (err.killed ? 'timeout' : null), stdout, stderr, { cause: err }));
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** Runs argv and returns stdout; throws CommandError on a non-zero exit, timeout or spawn failure. */
export async function run(argv: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await runResult(argv, opts);
  if (r.code !== 0) throw new CommandError(argv, r.code, r.stdout, r.stderr);
  return r.stdout;
}
