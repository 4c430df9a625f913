// The nft driver: check → apply (one transaction) → read back and verify → keep last-good.
// All calls go through `nft -j`: a document in a private file (`-f`), small set transactions
// and listings through one long-lived `nft -j -i` (nft/session.ts); we only ever name our own tables.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { prepareAtomic, writeAtomic, type PreparedFile } from '../sys/files.js';
import { run, RunError, type WaitingRun } from '../sys/run.js';
import { FillProcesses, goLine } from './fillProcesses.js';
import type { NftDocument } from './json.js';
import { verifyReadBack } from './verify.js';
import { keepDynamicSets, parseKernelTable, type KernelTable } from './keepSets.js';
import { systemBin } from '../sys/bin.js';
import { errorMessage } from '../errors/errorText.js';
import type { ApplyReport, RulesetBackend } from './backend.js';
import { isOneLine, NftSession, NftSessionError } from './session.js';
import { inWritableDir } from '../sys/writableDir.js';
import { isStorageError } from '../errors/storageError.js';

export class NftError extends Error {
  override name = 'NftError';
  constructor(message: string, readonly stderr: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface NftDriverOptions {
  /** argv prefix that runs nft, e.g. ['nft'] or ['ip', 'netns', 'exec', 'ns1', 'nft']. */
  nft?: string[] | undefined;
  /** Where the last document that applied and verified is kept. */
  lastGoodPath: string;
  /** A private folder for the documents handed to nft (default: beside last-good). */
  workDir?: string | undefined;
  tableName: string;
  timeoutMs?: number | undefined;
  /** Runs each ruleset change in its turn (the daemon's apply queue, app/applyQueue.ts);
   *  default: at once. */
  serialize?: (<T>(fn: () => Promise<T>) => Promise<T>) | undefined;
  /** Set transactions up to this many bytes go through one long-lived `nft -j -i`
   *  (nft/session.ts); larger ones through `nft -f`. 0: never. Default SESSION_MAX_BYTES. */
  sessionMaxBytes?: number | undefined;
  /** nft processes a staged load runs at once (fill). Default: the CPUs, at most 4. */
  fillParts?: number | undefined;
}

/** Below this, a long-lived nft beats a new process (README, blocklist benchmark): nft -i
 *  reads its stdin one byte per system call, a fork of the daemon costs 7–66 ms. */
export const SESSION_MAX_BYTES = 64 * 1024;

/** A batch in nft's own syntax goes through the long-lived nft up to this size (nft reads the
 *  included file with buffered reads: the byte-per-read limit above does not apply). */
export const NATIVE_MAX_BYTES = 4 * 1024 * 1024;

export type { ApplyReport } from './backend.js';

/** Our documents' names in the work dir: `nft-PID-SEQ.json`, `nft-PID-SEQ.nft` in nft's own
 *  syntax (NftDriver.run, transactNative). */
const DOCUMENT = /^nft-(\d+)-\d+\.(?:json|nft)$/;

const noop = (): void => undefined;

/** Paths nft's `include "…"` takes as they are (no quote, space or escape to get wrong). */
const PLAIN_PATH = /^\/[\w./-]+$/;

/** Removes the documents a process other than this one left in `dir` (a daemon killed while
 *  nft ran: up to 15 MB each, at a 1M-entry load; in the state dir, where utmd run by hand
 *  keeps them, they would pile up at every kill). Never throws: a folder that cannot be read
 *  is left as it is. */
function removeLeftDocuments(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // not made yet (the first apply makes it) or unreadable
  }
  for (const name of names) {
    const pid = DOCUMENT.exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid) rmSync(join(dir, name), { force: true });
  }
}

/** The real ruleset backend: `nft -j` on this box (or in a namespace, through `nft` argv). */
export class NftDriver implements RulesetBackend {
  private readonly nft: string[];
  private readonly timeoutMs: number;
  private readonly opts: Required<Pick<NftDriverOptions, 'workDir'>> & NftDriverOptions;
  private seq = 0;
  /** The last applied document whose last-good copy could not be written (saveLastGood). */
  private unsavedLastGood: string | null = null;
  private readonly session: NftSession;
  private readonly sessionMaxBytes: number;
  readonly fillParts: number;
  private readonly fills: FillProcesses;
  /** Where documents are written: the work dir, else (full, read-only) beside last-good. */
  private readonly documentDirs: readonly string[];

  constructor(opts: NftDriverOptions) {
    this.opts = { ...opts, workDir: opts.workDir ?? dirname(opts.lastGoodPath) };
    this.nft = opts.nft ?? [systemBin('nft')];
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    this.sessionMaxBytes = opts.sessionMaxBytes ?? SESSION_MAX_BYTES;
    this.fillParts = Math.max(1, opts.fillParts ?? Math.min(availableParallelism(), 4));
    // 30 s at most: a session document is ≤ 64 KiB and the sets listed are small (count check
    // ≤ VERIFY_MAX_ELEMENTS, device sightings); a hung child must not hold the apply queue long
    this.session = new NftSession({ nft: this.nft, home: join(this.opts.workDir, 'nft-home-absent'), timeoutMs: Math.min(this.timeoutMs, 30_000) });
    this.fills = new FillProcesses([...this.nft, '-j'], this.fillParts, this.timeoutMs);
    this.documentDirs = [this.opts.workDir, dirname(opts.lastGoodPath)];
    for (const dir of new Set(this.documentDirs)) removeLeftDocuments(dir);
  }

  /** Ends the long-lived nft, if one runs (the daemon's stop). */
  close(): Promise<void> {
    this.fills.close();
    return this.session.close();
  }

  /** Starts the fill's nft processes ahead, to wait for a staged load (nft/fillProcesses.ts). */
  prepareFill(): void {
    this.fills.prepare();
  }

  /**
   * Runs `nft -j ARGS`. A document (other than a `-c` check) changes the ruleset, so it
   * runs in its turn (`serialize`). Throws NftError carrying nft's stderr.
   */
  exec(args: string[], doc?: string | Uint8Array, started?: () => void): Promise<string> {
    if (doc !== undefined && !args.includes('-c')) return this.change(() => this.run(args, doc, started));
    return this.run(args, doc, started);
  }

  /** Runs `fn` as one ruleset change: no other change or full apply runs until it ends
   *  (write, read back, verify). Inside `fn` this driver is used as usual. */
  change<T>(fn: () => Promise<T>): Promise<T> {
    return this.opts.serialize ? this.opts.serialize(fn) : fn();
  }

  /** A document goes through a private file passed with `-f` (in the work dir, else beside
   *  last-good): nft opens `-` as /dev/stdin
   *  by path, which fails on the socketpair Node gives a child as stdin. `started` runs once
   *  nft is started on the written file. The file is written and removed synchronously: a
   *  1.5 MB document takes 0.5–2 ms in one write(2), while the async write's three 512 KiB
   *  chunks each waited for a turn of the event loop, which a GC or other work on it held
   *  for 20–40 ms in all before nft could start (100k blocklist benchmark, README).
   *  `waiting`: an nft started ahead (fillProcesses.ts) that takes the document instead. */
  protected async run(args: string[], doc?: string | Uint8Array, started?: () => void, waiting?: WaitingRun | null): Promise<string> {
    let file: string | undefined;
    let told = false;
    try {
      if (doc !== undefined) file = await this.writeDocument(doc, 'json');
      const argv = [...this.nft, '-j', ...args, ...(file ? ['-f', file] : [])];
      // spawns at once (or tells the waiting one its file)
      told = Boolean(waiting && file && !args.length);
      const running = told && waiting && file ? waiting.go(goLine(file)) : run(argv, { timeoutMs: this.timeoutMs });
      started?.();
      return (await running).stdout;
    } catch (e) {
      const stderr = e instanceof RunError ? e.stderr : '';
      throw new NftError(`nft ${args.join(' ')} failed: ${stderr.split('\n')[0] ?? ''}`, stderr, { cause: e });
    } finally {
      if (file) rmSync(file, { force: true });
      if (!told) waiting?.kill(); // taken from the pool, never told a file: it would wait until utmd ends
    }
  }

  /** Writes `doc` to a private file in the work dir (the state dir when the runtime dir is
   *  full, sys/writableDir.ts), synchronously (see run); the caller removes it. */
  private writeDocument(doc: string | Uint8Array, ext: 'json' | 'nft'): Promise<string> {
    return inWritableDir(this.documentDirs, (dir) => {
      const f = join(dir, `nft-${process.pid}-${++this.seq}.${ext}`);
      try {
        writeFileSync(f, doc, { mode: 0o600 });
      } catch (e) {
        rmSync(f, { force: true }); // a part written before the disk filled
        throw e;
      }
      return f;
    });
  }

  get table(): string {
    return this.opts.tableName;
  }

  /** One batch of element commands as one transaction: a small one through the long-lived
   *  nft, a large one (or one spread over lines) through `nft -f`. `started`: see
   *  RulesetSets.transact. Throws NftError. */
  async transact(doc: string | Uint8Array, started?: () => void): Promise<void> {
    if (doc.length > this.sessionMaxBytes || !isOneLine(doc)) {
      await this.exec([], doc, started);
      return;
    }
    await this.change(() => this.inSession(() => this.session.run(doc, started)));
  }

  /** Documents that only add elements to sets nothing looks up yet (RulesetSets.fill), each
   *  through `nft -f` in a process of its own, all at once: nft's parse and its netlink work
   *  for one part run while another's does (100k addresses in 2 parts: 0.14 s against 0.20
   *  s, by hand, 2026-12-04). A part's document is made when its turn comes (the next one
   *  while the nft before works) and goes to a process started ahead where one waits
   *  (prepareFill). Waits for every one, then throws the first refusal. */
  async fill(parts: ReadonlyArray<() => Uint8Array | null>, started?: () => void): Promise<void> {
    await this.change(async () => {
      const running: Array<Promise<string>> = [];
      let broke: Error | undefined;
      try {
        for (const make of parts) {
          const doc = make();
          if (!doc) continue;
          // this part's nft starts before the next part's document is made
          let begun = (): void => undefined;
          const isRunning = new Promise<void>((resolve) => (begun = resolve));
          const part = this.run([], doc, () => begun(), this.fills.take());
          running.push(part);
          await Promise.race([isRunning, part.then(noop, noop)]);
        }
        started?.();
      } catch (e) {
        // a part's document could not be made: the parts running still end first
        broke = e instanceof Error ? e : new Error(String(e));
      }
      this.fills.used();
      const done = await Promise.allSettled(running);
      const refused = done.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (broke !== undefined) throw broke;
      if (refused) throw refused.reason;
    });
  }

  /** A small batch of element commands written in nft's own syntax, as one transaction
   *  through the long-lived nft: the line it gets is `include "FILE"`, so nft reads the batch
   *  with buffered reads instead of one byte per read(2) (libedit, nft/session.ts). 1,000
   *  element changes in a 97k-element set took 1.7–3.0 ms this way, 6.7–7.0 ms as a JSON
   *  line (nft 1.0.6, 2026-12-04); everything the file holds is one batch, refused whole, and
   *  its errors come on stderr as a line's do. Returns false, having done nothing, when it
   *  cannot go this way (no session, too large, a work dir path include would not take, no
   *  dir that takes the file):
   *  the caller sends its JSON then. Throws NftError. */
  async transactNative(text: string, started?: () => void): Promise<boolean> {
    if (this.sessionMaxBytes <= 0 || text.length > NATIVE_MAX_BYTES) return false;
    if (!this.documentDirs.every((d) => PLAIN_PATH.test(d))) return false;
    return this.change(async () => {
      let file: string;
      try {
        file = await this.writeDocument(text, 'nft');
      } catch (e) {
        // no dir takes the file (/run and the state dir both full or read-only): the JSON
        // line through the session needs no file, so the caller's JSON still gets there
        if (isStorageError(e)) return false;
        throw e;
      }
      try {
        await this.inSession(() => this.session.run(`include "${file}"`, started));
      } finally {
        rmSync(file, { force: true });
      }
      return true;
    });
  }

  /** Maps the session's errors to NftError as for a process of its own. */
  private async inSession<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const stderr = e instanceof NftSessionError ? e.stderr : '';
      const what = e instanceof NftSessionError && e.refused ? (stderr.split('\n')[0] ?? '') : errorMessage(e);
      throw new NftError(`nft -i failed: ${what}`, stderr, { cause: e });
    }
  }

  /** `nft -j list set FAMILY TABLE NAME` of one of our sets, through the long-lived nft (the
   *  blocklist's count check after an update: a new process cost as much as the update).
   *  Throws NftError. */
  listSet(family: 'inet' | 'bridge', set: string): Promise<string> {
    if (this.sessionMaxBytes <= 0) return this.exec(['list', 'set', family, this.opts.tableName, set]);
    const cmd = JSON.stringify({ nftables: [{ list: { set: { family, table: this.opts.tableName, name: set } } }] });
    return this.inSession(() => this.session.list(cmd));
  }

  /** Validates a document without applying it (`nft -c`). Throws NftError. */
  async check(doc: NftDocument | string): Promise<void> {
    await this.exec(['-c'], typeof doc === 'string' ? doc : JSON.stringify(doc));
  }

  /**
   * Applies a complete document in one transaction, reads it back, verifies it and stores it
   * as last-good. Sets named in `keepSets` that already exist unchanged stay in the kernel with
   * their elements (device sightings, byte counters: nft/keepSets.ts). On any failure the
   * previous ruleset stays in the kernel (the transaction is all-or-nothing) and NftError is
   * thrown. The whole apply is one change (`serialize`): the kernel is read first.
   */
  apply(doc: NftDocument, keepSets: readonly string[] = []): Promise<ApplyReport> {
    return this.change(() => this.applyInTurn(doc, keepSets));
  }

  private async applyInTurn(doc: NftDocument, keepSets: readonly string[]): Promise<ApplyReport> {
    const plan = keepSets.length ? keepDynamicSets(doc, this.opts.tableName, await this.currentTables(), keepSets) : { doc, kept: [] };
    const text = JSON.stringify(plan.doc);
    const t0 = performance.now();
    await this.check(text);
    // last-good is the whole document (a restore after boot starts from empty tables anyway),
    // written and synced before the kernel takes it, renamed into place only after the read-back.
    // A state dir that cannot take it (full) does not stop the apply: the kernel change must not
    // wait for flash (a cable moved to the other port, a quarantine). The older last-good stays
    // whole on disk, the report says `unsaved`, and saveLastGood() writes it later.
    const body = JSON.stringify(doc);
    let lastGood: PreparedFile | undefined;
    let unsaved: Error | undefined;
    try {
      lastGood = await prepareAtomic(this.opts.lastGoodPath, body);
    } catch (e) {
      unsaved = e instanceof Error ? e : new Error(String(e));
    }
    let t1: number;
    let t2: number;
    try {
      t1 = performance.now();
      await this.exec([], text);
      t2 = performance.now();
      const problems = verifyReadBack(doc, await this.readBack(), this.opts.tableName);
      if (problems.length) throw new NftError(`ruleset read back differs: ${problems.join('; ')}`, '');
    } catch (e) {
      await lastGood?.discard();
      throw e;
    }
    try {
      await lastGood?.commit();
    } catch (e) {
      unsaved = e instanceof Error ? e : new Error(String(e));
    }
    this.unsavedLastGood = unsaved ? body : null;
    return { kept: plan.kept, checkedMs: t1 - t0, appliedMs: t2 - t1, verifiedMs: performance.now() - t2, ...(unsaved ? { unsaved } : {}) };
  }

  /** Writes the last-good that an apply could not (its report said `unsaved`); nothing when
   *  none is pending. In turn with every change, so a newer apply's copy is never overwritten.
   *  Throws the write's error (ENOSPC while the state dir is still full). */
  saveLastGood(): Promise<void> {
    return this.change(async () => {
      if (this.unsavedLastGood === null) return;
      await writeAtomic(this.opts.lastGoodPath, this.unsavedLastGood);
      this.unsavedLastGood = null;
    });
  }

  /** Our tables' objects per family (terse: no elements); a family without our table is absent. */
  async currentTables(): Promise<Partial<Record<string, KernelTable>>> {
    const out: Partial<Record<string, KernelTable>> = {};
    for (const family of ['inet', 'bridge']) {
      if (!(await this.hasTable(family))) continue;
      out[family] = parseKernelTable(await this.exec(['-t', 'list', 'table', family, this.opts.tableName]));
    }
    return out;
  }

  private async hasTable(family: string): Promise<boolean> {
    const out = await this.exec(['-t', 'list', 'tables', family]);
    // nft prints nothing at all when a family has no tables.
    const tables = out.trim() ? (JSON.parse(out) as { nftables: Record<string, { name?: string }>[] }).nftables : [];
    return tables.some((x) => x.table?.name === this.opts.tableName);
  }

  /** Our tables as the kernel holds them, without set elements (`-t`). */
  async readBack(): Promise<{ nftables: unknown[] }> {
    const all: unknown[] = [];
    for (const family of ['inet', 'bridge']) {
      if (!(await this.hasTable(family))) continue;
      const t = JSON.parse(await this.exec(['-t', 'list', 'table', family, this.opts.tableName])) as { nftables: unknown[] };
      all.push(...t.nftables);
    }
    return { nftables: all };
  }

  /** Re-applies the last-good document, if any. Returns false when there is none. */
  async restoreLastGood(): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(this.opts.lastGoodPath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
    await mkdir(this.opts.workDir, { recursive: true }); // where the document is handed to nft
    await this.exec([], text);
    return true;
  }

  /** Removes our tables (used by `utmd --uninstall` and tests); other tables are untouched. */
  async removeOwnTables(): Promise<void> {
    const t = this.opts.tableName;
    const cmds = ['inet', 'bridge'].flatMap((family) => [
      { add: { table: { family, name: t } } },
      { delete: { table: { family, name: t } } },
    ]);
    await this.exec([], JSON.stringify({ nftables: cmds }));
  }
}
