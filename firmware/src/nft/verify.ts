// Pure comparison of a rendered document with what the kernel reports back (`nft -j -t
// list table …`). nft normalises expressions on the way back, so we compare structure:
// tables, sets (type, flags), chains (hook, policy), named counters and rule counts.
import type { Cmd, NftDocument } from './json.js';

interface Shape {
  tables: Set<string>;
  sets: Map<string, string>;
  chains: Map<string, string>;
  counters: Set<string>;
  rules: Map<string, number>;
}

function emptyShape(): Shape {
  return { tables: new Set(), sets: new Map(), chains: new Map(), counters: new Set(), rules: new Map() };
}

function objOf(cmd: Cmd): Record<string, unknown> | undefined {
  if ('add' in cmd) return cmd.add;
  if ('delete' in cmd || 'flush' in cmd || 'metainfo' in cmd) return undefined;
  return cmd;
}

/** Forgets everything recorded so far for one table (a `delete table` in the document). */
function dropTable(s: Shape, where: string): void {
  s.tables.delete(where);
  for (const m of [s.sets, s.chains, s.rules]) for (const k of [...m.keys()]) if (k.startsWith(`${where} `)) m.delete(k);
  for (const k of [...s.counters]) if (k.startsWith(`${where} `)) s.counters.delete(k);
}

/** Shape of the tables a document (rendered or read back) creates. Unknown objects are ignored. */
export function shapeOf(doc: { nftables: unknown[] }, owned: (family: string, table: string) => boolean): Shape {
  const s = emptyShape();
  for (const raw of doc.nftables) {
    const del = (raw as { delete?: { table?: { family: string; name: string } } }).delete?.table;
    if (del) dropTable(s, `${del.family} ${del.name}`);
    const o = objOf(raw as Cmd);
    if (!o) continue;
    const [kind, body] = Object.entries(o)[0] ?? [];
    const b = body as Record<string, unknown> | undefined;
    if (!kind || !b) continue;
    const fam = String(b.family);
    const table = kind === 'table' ? String(b.name) : String(b.table);
    if (!owned(fam, table)) continue;
    const where = `${fam} ${table}`;
    if (kind === 'table') s.tables.add(where);
    else if (kind === 'set') {
      // nft ≥ 1.1 (Debian 13) lists `dynamic` on sets that rules update from the packet path
      // (`update @set`); it follows from those rules, not from our declaration.
      const flags = Array.isArray(b.flags) ? b.flags.filter((f) => f !== 'dynamic').map(String).sort().join(',') : '';
      s.sets.set(`${where} ${String(b.name)}`, `${String(b.type)}/${flags}`);
    } else if (kind === 'chain') {
      const hook = String(b.hook);
      s.chains.set(`${where} ${String(b.name)}`, b.hook ? `${hook}/${String(b.policy)}` : 'regular');
    } else if (kind === 'counter') s.counters.add(`${where} ${String(b.name)}`);
    else if (kind === 'rule') {
      const key = `${where} ${String(b.chain)}`;
      s.rules.set(key, (s.rules.get(key) ?? 0) + 1);
    }
  }
  return s;
}

/** Differences between what we rendered and what the kernel holds; empty means verified. */
export function compareShapes(want: Shape, got: Shape): string[] {
  const problems: string[] = [];
  for (const t of want.tables) if (!got.tables.has(t)) problems.push(`table ${t} missing`);
  for (const t of got.tables) if (!want.tables.has(t)) problems.push(`table ${t} should not exist`);
  for (const [k, v] of want.sets) {
    const g = got.sets.get(k);
    if (g === undefined) problems.push(`set ${k} missing`);
    else if (g !== v) problems.push(`set ${k} is ${g}, expected ${v}`);
  }
  for (const [k, v] of want.chains) {
    const g = got.chains.get(k);
    if (g === undefined) problems.push(`chain ${k} missing`);
    else if (g !== v) problems.push(`chain ${k} is ${g}, expected ${v}`);
  }
  for (const k of want.counters) if (!got.counters.has(k)) problems.push(`counter ${k} missing`);
  for (const [k, n] of want.rules) {
    const g = got.rules.get(k) ?? 0;
    if (g !== n) problems.push(`chain ${k} has ${g} rules, expected ${n}`);
  }
  return problems;
}

/** Verifies a read-back against the rendered document for the tables named `table`. */
export function verifyReadBack(rendered: NftDocument, kernel: { nftables: unknown[] }, table: string): string[] {
  const owned = (_f: string, t: string): boolean => t === table;
  return compareShapes(shapeOf(rendered, owned), shapeOf(kernel, owned));
}
