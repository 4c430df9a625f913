// A long-lived `nft -j -i` for small set transactions: one input line is one nft transaction
// (nft runs each line through nft_run_cmd_from_buffer, all of it or nothing), so an update of a
// few thousand elements does not pay for a fork of the daemon and nft's start (7–66 ms here).
// nft 1.0.6 reads a non-tty stdin line by line through libedit, **one byte per read(2)**: a
// line costs ~0.2–0.4 µs a byte of system time, so large documents still go through `nft -f`
// (the driver decides, nft/driver.ts). nft says nothing on stdout or stderr for an element
// command that succeeds, and prints a refused line's errors on stderr; after each document we
// send a line nft cannot parse (the marker) and read stderr up to the marker's syntax error:
// whatever came before it belongs to the document. A listing's answer is one line of JSON on
// stdout. Only the driver uses this.
import { spawn, type ChildProcess } from 'node:child_process';

/** Why a session could not run a document: refused (`stderr` says why), or the child failed. */
export class NftSessionError extends Error {
  override name = 'NftSessionError';
  constructor(message: string, readonly stderr: string, readonly refused: boolean) {
    super(message);
  }
}

export interface NftSessionOptions {
  /** argv that runs nft, the same prefix as every other nft call of the driver. */
  nft: readonly string[];
  /** nft's HOME: libedit reads its history from there and writes every line read back at EOF
   *  (when utmd dies): a path that does not exist, so neither happens. */
  home: string;
  timeoutMs: number;
  /** Bytes after which the child is replaced (libedit keeps every line in its history). */
  recycleBytes?: number | undefined;
}

interface Pending {
  marker: string;
  /** A listing: nft prints its JSON answer as one line on stdout. */
  wantOut: boolean;
  resolve: (out: string) => void;
  reject: (e: NftSessionError) => void;
  timer: NodeJS.Timeout;
}

const NL = 0x0a;

/** A document up to this many characters goes to nft in one write with its marker. */
const JOIN_MAX = 64 * 1024;

/** libedit keeps every line nft read in its history (in nft's memory, written out only at
 *  EOF): a child is replaced after this many bytes, ~120 updates of a 100k list. */
const RECYCLE_BYTES = 8 * 1024 * 1024;

/** True when `doc` can be sent as one line (nft would join or split it otherwise). */
export function isOneLine(doc: string | Uint8Array): boolean {
  return typeof doc === 'string' ? !/[\n\r]/.test(doc) : doc.indexOf(NL) < 0 && doc.indexOf(0x0d) < 0;
}

/** One `nft -j -i` child, started on first use, replaced when it dies, hangs or grew old. */
export class NftSession {
  private child: ChildProcess | null = null;
  private stderr = '';
  private stdout = '';
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private sentBytes = 0;
  private seq = 0;
  /** Children started so far (tests: a killed child is replaced). */
  started = 0;

  constructor(private readonly o: NftSessionOptions) {}

  /** The running child's pid, if any (tests). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Runs one document (one line, see isOneLine) as one transaction, after any earlier one.
   *  Throws NftSessionError: `refused` with nft's stderr, or the child died or timed out
   *  (then it is killed and the next call starts a new one). `started` is called once the
   *  document is handed to nft. */
  async run(doc: string | Uint8Array, started?: () => void): Promise<void> {
    await this.enqueue(doc, false, started);
  }

  /** Runs one listing command (JSON, one line) and returns nft's answer (one line of JSON).
   *  Throws NftSessionError like run(). */
  list(cmd: string): Promise<string> {
    return this.enqueue(cmd, true);
  }

  private enqueue(doc: string | Uint8Array, wantOut: boolean, started?: () => void): Promise<string> {
    const next = this.queue.then(() => this.runNow(doc, wantOut, started));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Kills the child (if any) and waits for it to be gone. */
  async close(): Promise<void> {
    await this.queue;
    await this.kill();
  }

  private runNow(doc: string | Uint8Array, wantOut: boolean, started?: () => void): Promise<string> {
    if (this.child && this.sentBytes > (this.o.recycleBytes ?? RECYCLE_BYTES)) void this.kill();
    const child = this.child ?? this.start();
    const marker = `utm_end_${++this.seq}`;
    this.sentBytes += doc.length;
    this.stdout = ''; // nothing is expected there from a transaction
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new NftSessionError(`nft -i gave no answer within ${this.o.timeoutMs} ms`, this.stderr, false));
      }, this.o.timeoutMs);
      this.pending = { marker, wantOut, resolve, reject, timer };
      // A small document and its marker in one write: each write to the pipe wakes nft (it
      // reads a byte at a time), and on this 2-core VM a wake-up of another process cost up to
      // ~2 ms of the main thread (a 100k list's 1% update: 3.5 ms in the two writes of its
      // `include` line, 50 µs profile, 2026-12-06). A large one in its own write: no copy of
      // it into a joined buffer.
      const tail = `\n${marker}\n`;
      if (typeof doc === 'string' && doc.length <= JOIN_MAX) child.stdin?.write(doc + tail);
      else {
        child.stdin?.write(doc);
        child.stdin?.write(tail);
      }
      started?.();
    });
  }

  private start(): ChildProcess {
    const [cmd = 'nft', ...args] = this.o.nft;
    // HOME: nft would read root's ~/.nft.history and write every line into it at EOF.
    const child = spawn(cmd, [...args, '-j', '-i'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, HOME: this.o.home } });
    this.child = child;
    this.started++;
    this.stderr = '';
    this.stdout = '';
    this.sentBytes = 0;
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (s: string) => {
      if (this.child !== child) return;
      this.stdout += s;
      this.settle();
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => {
      if (this.child !== child) return;
      this.stderr += s;
      this.settle();
    });
    child.stdin?.on('error', () => undefined); // EPIPE of a dead child: 'exit' reports it
    child.on('error', (e) => {
      if (this.child === child) this.fail(new NftSessionError(`cannot run nft -i: ${e.message}`, '', false));
    });
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = null;
      this.fail(new NftSessionError(`nft -i ended (${signal ?? `exit ${code}`})`, this.stderr, false));
    });
    // The daemon's stop() closes the session; a test process that forgets must still end.
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
    return child;
  }

  /** Completes the pending document once the marker's error record is whole on stderr and,
   *  for a listing that nft did not refuse, its answer's line on stdout (the two pipes are
   *  read in no particular order). */
  private settle(): void {
    const p = this.pending;
    if (!p) return;
    const at = this.stderr.indexOf(`\n${p.marker}\n`);
    if (at < 0) return;
    const end = this.stderr.indexOf('\n', at + p.marker.length + 2); // the caret line
    if (end < 0) return;
    const recordStart = this.stderr.lastIndexOf('\n', at - 1) + 1; // "Error: syntax error…"
    const own = this.stderr.slice(0, recordStart).trim();
    const outEnd = this.stdout.indexOf('\n');
    if (p.wantOut && !own && outEnd < 0) return;
    this.stderr = this.stderr.slice(end + 1);
    const out = outEnd < 0 ? '' : this.stdout.slice(0, outEnd);
    this.stdout = '';
    this.pending = null;
    clearTimeout(p.timer);
    if (own) p.reject(new NftSessionError(own.split('\n')[0] ?? '', own, true));
    else p.resolve(out);
  }

  private fail(e: NftSessionError): void {
    const p = this.pending;
    this.pending = null;
    void this.kill();
    if (!p) return;
    clearTimeout(p.timer);
    p.reject(e);
  }

  private kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    // no pid: it never started ('error' said why), so no 'exit' will come
    if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.ref(); // an unref'd child's exit would not keep the loop alive until it comes
      child.kill('SIGKILL'); // SIGKILL, not EOF: at EOF nft would write its history file
    });
  }
}
