// An nft driver for unit tests without root: the real driver's queueing (exec → serialize,
// change), with nft itself replaced by a small model of our sets' element counts. Every
// call is logged in order, so tests can assert what ran while what else held the queue.
import type { ApplyReport } from '../../firmware/src/nft/driver.js';
import { NftDriver, NftError } from '../../firmware/src/nft/driver.js';
import type { NftDocument } from '../../firmware/src/nft/json.js';
import type { Serialize } from '../../firmware/src/app/applyQueue.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The set object of a command (`{add:{set:…}}`, `{set:…}`, `{flush:{set:…}}`), if any. */
function setOf(cmd: Obj, verb: string, kind: 'set' | 'element'): Obj | undefined {
  const inner = cmd[verb];
  const o = isObj(inner) ? inner[kind] : undefined;
  return isObj(o) ? o : undefined;
}

export class FakeNft extends NftDriver {
  /** What ran, in order: 'apply start', 'apply end', 'write', 'list set NAME', 'check', … */
  readonly calls: string[] = [];
  readonly applied: NftDocument[] = [];
  /** Element count per set name, as our model of the kernel holds it. */
  readonly counts = new Map<string, number>();
  /** While set, a full apply waits for it after it started. */
  hold: Promise<void> | null = null;
  /** While set, a full apply fails with it. */
  refuse: string | null = null;

  constructor(serialize?: Serialize) {
    super({ lastGoodPath: '/nonexistent/utm-fake/last-good.json', tableName: 'utm', serialize });
  }

  override apply(doc: NftDocument): Promise<ApplyReport> {
    return this.change(async () => {
      this.calls.push('apply start');
      if (this.hold) await this.hold;
      if (this.refuse !== null) {
        this.calls.push('apply refused');
        throw new NftError('nft -f failed: refused', this.refuse);
      }
      this.counts.clear();
      for (const cmd of doc.nftables as unknown[]) {
        if (!isObj(cmd)) continue;
        const s = setOf(cmd, 'add', 'set') ?? (isObj(cmd.set) ? cmd.set : undefined);
        if (s && typeof s.name === 'string') this.counts.set(s.name, Array.isArray(s.elem) ? s.elem.length : 0);
      }
      this.applied.push(doc);
      this.calls.push('apply end');
      return { kept: [], checkedMs: 0, appliedMs: 0, verifiedMs: 0 };
    });
  }

  override async restoreLastGood(): Promise<boolean> {
    this.calls.push('restore');
    return false;
  }

  override async readBack(): Promise<{ nftables: unknown[] }> {
    this.calls.push('read back');
    return { nftables: [] };
  }

  protected override async run(args: string[], doc?: string | Uint8Array): Promise<string> {
    if (args.includes('-c')) {
      this.calls.push('check');
      return '';
    }
    if (doc !== undefined) {
      this.calls.push('write');
      this.model(JSON.parse(Buffer.from(doc).toString('utf8')) as { nftables: unknown[] });
      return '';
    }
    if (args[0] === 'list' && args[1] === 'set') {
      const name = args[4] ?? '';
      this.calls.push(`list set ${name}`);
      return JSON.stringify({ nftables: [{ set: { name, elem: Array.from({ length: this.counts.get(name) ?? 0 }, (_, i) => i) } }] });
    }
    this.calls.push(`nft ${args.join(' ')}`);
    return '';
  }

  /** Element adds, deletes and flushes of an incremental change. */
  private model(doc: { nftables: unknown[] }): void {
    for (const cmd of doc.nftables) {
      if (!isObj(cmd)) continue;
      const flush = setOf(cmd, 'flush', 'set');
      if (flush && typeof flush.name === 'string') this.counts.set(flush.name, 0);
      for (const [verb, sign] of [['add', 1], ['create', 1], ['delete', -1]] as const) {
        const e = setOf(cmd, verb, 'element');
        if (!e || typeof e.name !== 'string' || !Array.isArray(e.elem)) continue;
        this.counts.set(e.name, (this.counts.get(e.name) ?? 0) + sign * e.elem.length);
      }
    }
  }
}
