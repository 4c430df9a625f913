// DryRunBackend: a RulesetBackend that keeps our tables in memory and records every
// transaction, like cs-firewall-bouncer's dry-run backend. Tests drive the apply path and the
// features' incremental set updates through it without root or a kernel, and can make it
// refuse the next transaction, lose an element, or report a drifted (or slow) read-back.
// It follows nft's rules that matter to us: a transaction is all or nothing; `create` of an
// element that exists and `delete` of one that does not fail the whole transaction; a set
// that does not exist cannot be changed or listed; a set a rule still uses cannot be deleted.
// Transactions may also add and delete sets and rewrite a chain (flush chain + add rule).
import type { ApplyReport, RulesetBackend } from './backend.js';
import { NftError } from './driver.js';
import type { NftDocument } from './json.js';
import { verifyReadBack } from './verify.js';
import { ipv4Text } from '../net/ipText.js';

/** One transaction as the dry run received it. */
export interface DryRunTransaction {
  /** apply: a full document; transact: a set update; restore: the last-good document re-applied. */
  kind: 'apply' | 'transact' | 'restore';
  /** The document (JSON text). */
  doc: string;
  /** Whether the backend took it (false: refused, nothing changed). */
  taken: boolean;
}

interface SetState {
  /** The set object without its elements (family, table, name, type, flags...). */
  head: Record<string, unknown>;
  /** Element key → element as it was handed in. */
  elems: Map<string, unknown>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A comparable key for one set element (plain, prefix, range, concat or wrapped). */
export function elementKey(e: unknown): string {
  if (typeof e === 'string' || typeof e === 'number') return String(e).toLowerCase();
  if (isObj(e)) {
    if (isObj(e.elem)) return elementKey(e.elem.val);
    if (isObj(e.prefix)) return `${elementKey(e.prefix.addr)}/${String(e.prefix.len)}`;
    if (Array.isArray(e.range)) return e.range.map(elementKey).join('-');
    if (Array.isArray(e.concat)) return e.concat.map(elementKey).join(' . ');
  }
  return JSON.stringify(e);
}

export class DryRunBackend implements RulesetBackend {
  private sets = new Map<string, SetState>();
  /** Everything but sets' elements, in document order: tables, sets, chains, rules, counters. */
  private objects: Obj[] = [];
  private refusal: { stderr: string; left: number } | null = null;
  private readonly log: DryRunTransaction[] = [];
  /** Changes what readBack() reports (a test's stand-in for another program editing our
   *  table), or when: a read-back that takes its time, as `nft -j list` does, holds the apply
   *  that verifies with it (and the queue it runs in) until it answers. */
  onReadBack: ((doc: { nftables: unknown[] }) => { nftables: unknown[] } | Promise<{ nftables: unknown[] }>) | null = null;

  /** `serialize`: the daemon's apply queue (app/applyQueue.ts), as the real driver takes it;
   *  default: every change runs at once. `lastGood`: the last-good document (JSON text) an
   *  earlier run left, as the real driver finds its file at boot; default: none. */
  constructor(
    readonly table = 'utm',
    private readonly serialize?: <T>(fn: () => Promise<T>) => Promise<T>,
    private lastGood: string | null = null,
  ) {}

  change<T>(fn: () => Promise<T>): Promise<T> {
    return this.serialize ? this.serialize(fn) : fn();
  }

  /** Every transaction so far, refused ones included, oldest first. */
  get transactions(): readonly DryRunTransaction[] {
    return this.log;
  }

  /** The next `times` applies or transacts fail with NftError carrying `stderr`, and change nothing. */
  refuseNext(stderr = 'Error: refused by the dry run', times = 1): void {
    this.refusal = times > 0 ? { stderr, left: times } : null;
  }

  /** Element keys of one set (sorted); undefined when the set does not exist. */
  elements(family: 'inet' | 'bridge', set: string): string[] | undefined {
    const s = this.sets.get(`${family} ${set}`);
    return s ? [...s.elems.keys()].sort() : undefined;
  }

  /** Puts elements into a set as the packet path would (dynamic sets). Throws on a missing set. */
  put(family: 'inet' | 'bridge', set: string, elems: readonly unknown[]): void {
    const s = this.sets.get(`${family} ${set}`);
    if (!s) throw new NftError(`no set ${family} ${set}`, '');
    for (const e of elems) s.elems.set(elementKey(e), e);
  }

  /** Drops one element behind our back (a kernel that lost it); true when it was there. */
  lose(family: 'inet' | 'bridge', set: string, key: string): boolean {
    return this.sets.get(`${family} ${set}`)?.elems.delete(key) ?? false;
  }

  /** The last document that applied and verified (JSON text), or null. */
  lastGoodDocument(): string | null {
    return this.lastGood;
  }

  async check(doc: NftDocument | string): Promise<void> {
    const parsed = typeof doc === 'string' ? parseDoc(doc) : doc.nftables;
    this.build(parsed, new Map(), []);
  }

  apply(doc: NftDocument, keepSets: readonly string[] = []): Promise<ApplyReport> {
    return this.change(() => this.applyInTurn(doc, keepSets));
  }

  transact(doc: string | Uint8Array, started?: () => void): Promise<void> {
    return this.change(async () => {
      started?.();
      return this.transactInTurn(doc);
    });
  }

  private async applyInTurn(doc: NftDocument, keepSets: readonly string[]): Promise<ApplyReport> {
    const text = JSON.stringify(doc);
    this.take('apply', text);
    const next = this.build(doc.nftables, this.sets, keepSets);
    this.sets = next.sets;
    this.objects = next.objects;
    // like nft: the transaction is in; the read-back decides whether it becomes last-good
    const problems = verifyReadBack(doc, await this.readBack(), this.table);
    if (problems.length) throw new NftError(`ruleset read back differs: ${problems.join('; ')}`, '');
    this.lastGood = text;
    return { kept: next.kept, checkedMs: 0, appliedMs: 0, verifiedMs: 0 };
  }

  private transactInTurn(doc: string | Uint8Array): void {
    const text = typeof doc === 'string' ? doc : Buffer.from(doc).toString('utf8');
    this.take('transact', text);
    const next = new Map([...this.sets].map(([k, v]) => [k, { head: v.head, elems: new Map(v.elems) }]));
    let objects = [...this.objects];
    const inChain = (o: Obj, family: string, chain: string): boolean => isObj(o.rule) && `${String(o.rule.family)} ${String(o.rule.chain)}` === `${family} ${chain}`;
    for (const cmd of parseDoc(text)) {
      if (!isObj(cmd) || 'metainfo' in cmd) continue;
      const [verb, body] = Object.entries(cmd)[0] ?? [];
      if (!isObj(body)) continue;
      if (verb === 'flush' && isObj(body.set)) {
        this.need(next, String(body.set.family), String(body.set.name)).elems.clear();
      } else if (verb === 'flush' && isObj(body.chain)) {
        const c = body.chain;
        if (!objects.some((o) => isObj(o.chain) && o.chain.family === c.family && o.chain.name === c.name)) throw this.refused(`Error: No such file or directory (chain ${String(c.name)})`);
        objects = objects.filter((o) => !inChain(o, String(c.family), String(c.name)));
      } else if (verb === 'add' && isObj(body.rule)) {
        const r = body.rule;
        if (!objects.some((o) => isObj(o.chain) && o.chain.family === r.family && o.chain.name === r.chain)) throw this.refused(`Error: No such file or directory (chain ${String(r.chain)})`);
        objects.push({ rule: r });
      } else if (isObj(body.set) && (verb === 'add' || verb === 'delete')) {
        const { elem, ...head } = body.set;
        const key = `${String(head.family)} ${String(head.name)}`;
        if (verb === 'add') {
          if (!next.has(key)) {
            next.set(key, { head, elems: new Map((Array.isArray(elem) ? elem : []).map((e) => [elementKey(e), e] as const)) });
            objects.push({ set: head });
          }
        } else {
          this.need(next, String(head.family), String(head.name));
          // like the kernel: a set a rule still looks up cannot be deleted
          if (objects.some((o) => isObj(o.rule) && JSON.stringify(o.rule.expr).includes(`"@${String(head.name)}"`))) throw this.refused(`Error: Could not process rule: Device or resource busy (set ${String(head.name)})`);
          next.delete(key);
          objects = objects.filter((o) => !(isObj(o.set) && `${String(o.set.family)} ${String(o.set.name)}` === key));
        }
      } else if (isObj(body.element)) {
        const el = body.element;
        const s = this.need(next, String(el.family), String(el.name));
        // like nft: an ipv4_addr key given as a number is the address (blocklist/nftSync.ts joinV4)
        const v4 = s.head.type === 'ipv4_addr';
        for (const given of Array.isArray(el.elem) ? el.elem : []) {
          if (v4 && typeof given === 'number' && !(Number.isInteger(given) && given >= 0 && given <= 0xffffffff)) throw this.refused(`Error: Value ${given} exceeds valid range 0-4294967295`);
          const e: unknown = v4 && typeof given === 'number' ? ipv4Text(given) : given;
          const k = elementKey(e);
          if (verb === 'create' && s.elems.has(k)) throw this.refused(`Error: Could not process rule: File exists (${k})`);
          if (verb === 'delete' && !s.elems.delete(k)) throw this.refused(`Error: Could not process rule: No such file or directory (${k})`);
          if (verb === 'add' || verb === 'create') s.elems.set(k, e);
          // like the kernel: a set declared with a size takes no element past it
          if (typeof s.head.size === 'number' && s.elems.size > s.head.size) throw this.refused(`Error: Could not process rule: Too many open files in system (set ${String(el.name)} holds ${s.head.size})`);
        }
      } else throw this.refused(`Error: the dry run does not model ${String(verb)} ${Object.keys(body).join(',')}`);
    }
    this.sets = next;
    this.objects = objects;
  }

  async listSet(family: 'inet' | 'bridge', set: string): Promise<string> {
    const s = this.need(this.sets, family, set);
    const body: Obj = { ...s.head };
    if (s.elems.size) body.elem = [...s.elems.values()];
    return JSON.stringify({ nftables: [{ metainfo: { json_schema_version: 1 } }, { set: body }] });
  }

  async readBack(): Promise<{ nftables: unknown[] }> {
    const doc = { nftables: this.objects.map((o) => ({ ...o })) };
    return this.onReadBack ? this.onReadBack(doc) : doc;
  }

  /** Nothing runs beside a dry run. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** A dry run keeps its last-good in memory: never unsaved. */
  saveLastGood(): Promise<void> {
    return Promise.resolve();
  }

  async restoreLastGood(): Promise<boolean> {
    if (this.lastGood === null) return false;
    this.take('restore', this.lastGood);
    const doc = JSON.parse(this.lastGood) as NftDocument;
    const next = this.build(doc.nftables, new Map(), []);
    this.sets = next.sets;
    this.objects = next.objects;
    return true;
  }

  /** Records the transaction; throws (recorded as refused) when a refusal is pending. */
  private take(kind: DryRunTransaction['kind'], doc: string): void {
    const refusal = this.refusal?.stderr ?? null;
    if (this.refusal && --this.refusal.left <= 0) this.refusal = null;
    this.log.push({ kind, doc, taken: refusal === null });
    if (refusal !== null) throw new NftError(`nft refused the ${kind === 'transact' ? 'set update' : 'ruleset'}: ${refusal.split('\n')[0] ?? ''}`, refusal);
  }

  private refused(stderr: string): NftError {
    const last = this.log[this.log.length - 1];
    if (last) last.taken = false;
    return new NftError(`nft refused the set update: ${stderr}`, stderr);
  }

  private need(sets: Map<string, SetState>, family: string, name: string): SetState {
    const s = sets.get(`${family} ${name}`);
    if (!s) throw this.refused(`Error: No such file or directory; did you mean set ${name} in table ${family} ${this.table}?`);
    return s;
  }

  /** The state a full document leaves: its objects, its sets with their elements, and the
   *  elements of `keepSets` carried over from `prev` when the set is declared the same way. */
  private build(cmds: readonly unknown[], prev: Map<string, SetState>, keepSets: readonly string[]): { sets: Map<string, SetState>; objects: Obj[]; kept: string[] } {
    const sets = new Map<string, SetState>();
    let objects: Obj[] = [];
    const kept: string[] = [];
    for (const raw of cmds) {
      if (!isObj(raw) || 'metainfo' in raw) continue;
      const del = isObj(raw.delete) && isObj(raw.delete.table) ? raw.delete.table : null;
      if (del) {
        const where = `${String(del.family)} ${String(del.name)}`;
        objects = objects.filter((o) => objWhere(o) !== where);
        for (const [k, s] of sets) if (`${String(s.head.family)} ${String(s.head.table)}` === where) sets.delete(k);
        continue;
      }
      const o = isObj(raw.add) ? raw.add : raw;
      const [kind, body] = Object.entries(o)[0] ?? [];
      if (kind === undefined || !isObj(body) || isObj(raw.flush) || isObj(raw.delete)) continue;
      if (kind === 'set') {
        const { elem, ...head } = body;
        const key = `${String(body.family)} ${String(body.name)}`;
        const before = prev.get(key);
        const keep = keepSets.includes(String(body.name)) && before !== undefined && JSON.stringify(before.head) === JSON.stringify(head);
        const elems = keep ? new Map(before.elems) : new Map((Array.isArray(elem) ? elem : []).map((e) => [elementKey(e), e] as const));
        if (keep) kept.push(key);
        if (typeof head.size === 'number' && elems.size > head.size) throw this.refused(`Error: Could not process rule: Too many open files in system (set ${String(body.name)}: ${elems.size} elements, size ${head.size})`);
        sets.set(key, { head, elems });
        objects.push({ set: head });
      } else objects.push({ [kind]: body });
    }
    return { sets, objects, kept };
  }
}

function objWhere(o: Obj): string {
  const [kind, body] = Object.entries(o)[0] ?? [];
  if (!isObj(body)) return '';
  return `${String(body.family)} ${String(kind === 'table' ? body.name : body.table)}`;
}

function parseDoc(text: string): unknown[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new NftError('nft could not read the document', `Error: ${(e as Error).message}`, { cause: e });
  }
  if (!isObj(v) || !Array.isArray(v.nftables)) throw new NftError('nft could not read the document', 'Error: no nftables array');
  return v.nftables;
}
