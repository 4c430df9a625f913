// Long-running child processes of the lab (daemons, listeners, forwarders): spawned in
// their own process group with captured output, and always killed as a group on stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor, type PollOptions } from './poll.js';

const KEEP_CHARS = 1024 * 1024;

export class SpawnError extends Error {
  override name = 'SpawnError';
}

export interface SpawnOptions {
  /** Working directory of the child. */
  cwd?: string;
  /** Extra environment variables (merged over process.env). */
  env?: Record<string, string>;
  /** Keep a pipe on the child's stdin open; helper agents exit when it closes (default true). */
  stdinPipe?: boolean;
  /** Called with each chunk of stdout/stderr text, e.g. to mirror a daemon's log. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
}

export interface LabProcess {
  readonly argv: readonly string[];
  readonly pid: number;
  /** Captured stdout so far (the last 1 MiB). */
  stdout(): string;
  /** Captured stderr so far (the last 1 MiB). */
  stderr(): string;
  /** Exit code or signal once exited, else undefined. */
  exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Polls until pred(stdout + stderr) is true; throws PollTimeoutError, or SpawnError when the child exits first. */
  waitForOutput(pred: (text: string) => boolean, opts?: PollOptions): Promise<void>;
  /** Sends SIGTERM to the whole group, SIGKILL after graceMs; resolves when the child has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Spawns argv in a new process group; throws SpawnError when it cannot be started. */
export async function spawnProcess(argv: readonly string[], opts: SpawnOptions = {}): Promise<LabProcess> {
  const [file, ...args] = argv;
  if (file === undefined) throw new TypeError('empty argv');
  const child: ChildProcess = spawn(file, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    detached: true,
    stdio: [opts.stdinPipe === false ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let status: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      status = { code, signal };
      resolve();
    });
  });
  child.stdout?.setEncoding('utf8').on('data', (s: string) => {
    out = (out + s).slice(-KEEP_CHARS);
    opts.onOutput?.('stdout', s);
  });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    err = (err + s).slice(-KEEP_CHARS);
    opts.onOutput?.('stderr', s);
  });
  // A parent that dies closes this pipe; EPIPE on it later is expected, not a crash.
  child.stdin?.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (e) => reject(new SpawnError(`cannot start ${argv.join(' ')}`, { cause: e })));
  });
  const pid = child.pid;
  if (pid === undefined) throw new SpawnError(`no pid for ${argv.join(' ')}`);

  const signalGroup = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch (e) {
      // ESRCH: the group is already gone, which is what we want.
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  };

  return {
    argv,
    pid,
    stdout: () => out,
    stderr: () => err,
    exitStatus: () => status,
    async waitForOutput(pred, popts = {}) {
      const seen = await waitFor(() => (pred(out + err) ? 'seen' : status !== undefined ? 'exited' : false),
        { what: `output of ${argv.join(' ')}`, ...popts });
      if (seen === 'exited') {
        throw new SpawnError(`${argv.join(' ')} exited (${status?.code ?? status?.signal}) before the expected output; stderr: ${err.slice(-2000)}`);
      }
    },
    async stop(graceMs = 3000) {
      child.stdin?.end();
      if (status === undefined) signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Children that outlived the leader (same group) must not survive either.
      signalGroup('SIGKILL');
    },
  };
}
