// Findings the store could not take (a full or failing disk) are held in memory until writes
// work again (app/storage.ts). Held in memory only, they were lost with the process: utmd
// killed or crashed, or stopping itself to run its store in memory on a flash turned
// read-only (cli/utmdMain.ts), lost the very alert that came with the failure, and the
// monitoring centre never heard of it. So the held list is also kept in a file in the unit's
// runtime dir (a tmpfs: it takes writes when the flash does not), which systemd keeps over a
// restart of the unit (RuntimeDirectoryPreserve=restart, image/systemd/utmd.service); the next
// start stores what it finds there. A reboot empties it: what was held then is lost, as before.
// The file is ours, but read as untrusted: an entry without a finding's shape is dropped and
// said, never a failed start.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { z } from 'zod';
import type { Finding } from '../alerts/types.js';
import type { Logger } from './log.js';
import { errorMessage } from '../errors/errorText.js';
import { writeAtomic } from '../sys/files.js';

export const HELD_FILE = 'held-findings.json';

/** More than the held list's bound (200 findings of a few hundred bytes) ever needs. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

const text = (max: number): z.ZodString => z.string().min(1).max(max);
const FindingShape = z.object({
  kind: text(80).regex(/^[a-z0-9_.:-]+$/),
  severity: z.enum(['info', 'warning', 'danger']),
  dedupKey: z.string().max(1000),
  at: z.number().finite(),
  device: z.object({ mac: text(64).optional(), ip: text(64).optional() }).optional(),
  remote: z.object({ ip: text(64), port: z.number().int().min(0).max(65535).optional() }).optional(),
  direction: z.enum(['outbound', 'inbound', 'lan']).optional(),
  action: z.enum(['blocked', 'watched', 'quarantined', 'none']),
  count: z.number().int().min(0).optional(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  evidence: z.record(z.string(), z.unknown()),
  upstream: z.boolean().optional(),
  corroborating: z.boolean().optional(),
  replaces: z.array(text(80)).optional(),
});

/** The findings saved at `path` (none when there is no file). Entries of another shape are
 *  dropped and logged; an unreadable or malformed file is logged and read as empty. */
export function readHeldFile(path: string, log: Logger): Finding[] {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warn(`held findings: cannot read ${path}: ${errorMessage(e)}`);
    return [];
  }
  if (raw.length > MAX_FILE_BYTES) {
    log.warn(`held findings: ${path} is ${raw.length} bytes (at most ${MAX_FILE_BYTES}); ignored`);
    return [];
  }
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (e) {
    log.warn(`held findings: ${path} is not JSON (${errorMessage(e)}); ignored`);
    return [];
  }
  const list = z.object({ version: z.literal(1), findings: z.array(z.unknown()) }).safeParse(doc);
  if (!list.success) {
    log.warn(`held findings: ${path} is not a list of held findings; ignored`);
    return [];
  }
  const out: Finding[] = [];
  for (const f of list.data.findings) {
    const ok = FindingShape.safeParse(f);
    if (ok.success) out.push(ok.data);
  }
  if (out.length < list.data.findings.length) log.warn(`held findings: ${list.data.findings.length - out.length} of ${list.data.findings.length} in ${path} have no finding's shape; dropped`);
  return out;
}

/** The held list's file, written in the background: saves that come while one is written
 *  are merged into one more write of the latest list (a flood of findings on a full disk
 *  writes the file a few times, not once per finding). An empty list removes the file. */
export class HeldFile {
  private latest: readonly Finding[] = [];
  private dirty = false;
  private writing: Promise<void> | null = null;
  private warned = false;

  constructor(private readonly path: string, private readonly log: Logger) {}

  /** Saves `held` (the whole list). Never throws. */
  save(held: readonly Finding[]): void {
    this.latest = [...held];
    this.dirty = true;
    this.writing ??= this.flush().finally(() => {
      this.writing = null;
    });
  }

  /** Settles once every save so far is written (or failed). */
  async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async flush(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      const list = this.latest;
      try {
        if (list.length) await writeAtomic(this.path, JSON.stringify({ version: 1, findings: list }));
        else await rm(this.path, { force: true });
        this.warned = false;
      } catch (e) {
        // the runtime dir full too: the findings are still held in memory
        if (!this.warned) this.log.warn(`held findings: cannot write ${this.path} (they stay held in memory): ${errorMessage(e)}`);
        this.warned = true;
      }
    }
  }
}
