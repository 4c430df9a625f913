// The folder-level import graph of firmware/src and webui/src, and the check that it has no
// cycles (issue 13: "no import cycles between folders"). A folder is firmware/src/<x> or
// webui/src/<y>; files directly in webui/src/ form the folder `webui`. Every import counts,
// `import type` included: a type-only cycle still ties two folders together.
// Pure functions here; main() at the bottom reads the tree, prints the graph, and exits 1
// when a cycle remains after the known ones (KNOWN_CYCLE_EDGES) are set aside.
//   npx tsx test/tools/importGraph.ts        (run by `make check`)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Folder → the folders it imports from (self-imports left out). */
export type FolderGraph = Map<string, Set<string>>;

/**
 * Edges that close a known cycle, tolerated until the work that removes them lands. Each
 * must say why and who removes it. Any cycle that remains without these edges fails the
 * check, so a new cycle cannot slip in behind an old one. Remove an entry when its edge goes.
 * Empty since issue 13's folder work: the feature contract has its own folder (feature/),
 * repositories sit beside their aggregates (alerts/, upstream/), config owns the feed schemas,
 * webui's shared files have folders (html/, model/, deps/), and webui imports no firmware/app.
 * Keep it empty: a new cycle is fixed, not listed.
 */
export const KNOWN_CYCLE_EDGES: ReadonlyArray<{ edge: string; why: string }> = [];

/** Relative module specifiers a TypeScript source imports or re-exports (static and dynamic). */
export function importSpecifiers(source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('.'));
}

/** The folder of a path relative to the repository root, or null outside the two trees. */
export function folderOf(rel: string): string | null {
  const parts = rel.split(/[\\/]/);
  if (parts.length < 3 || parts[1] !== 'src' || (parts[0] !== 'firmware' && parts[0] !== 'webui')) return null;
  return parts.length === 3 ? parts[0] : `${parts[0]}/${parts[2]}`;
}

/** Builds the folder graph from (repo-relative path, source text) pairs. */
export function buildGraph(files: ReadonlyArray<{ path: string; source: string }>): FolderGraph {
  const g: FolderGraph = new Map();
  for (const f of files) {
    const from = folderOf(f.path);
    if (from === null) continue;
    if (!g.has(from)) g.set(from, new Set());
    for (const spec of importSpecifiers(f.source)) {
      const target = join(dirname(f.path), spec).split(sep).join('/');
      const to = folderOf(target);
      if (to !== null && to !== from) g.get(from)?.add(to);
    }
  }
  return g;
}

/** The graph without the given `a -> b` edges. */
export function withoutEdges(g: FolderGraph, edges: Iterable<string>): FolderGraph {
  const drop = new Set(edges);
  const out: FolderGraph = new Map();
  for (const [a, tos] of g) out.set(a, new Set([...tos].filter((b) => !drop.has(`${a} -> ${b}`))));
  return out;
}

/** Strongly connected components with more than one folder (each is a cycle), sorted. */
export function cycles(g: FolderGraph): string[][] {
  // Tarjan's algorithm; the graph has a few dozen nodes, recursion depth is no concern.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...g.keys()].sort()) if (!index.has(v)) visit(v);
  return out.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

/** Edges inside a component (the ones a reader must look at to break the cycle). */
export function edgesWithin(g: FolderGraph, scc: readonly string[]): string[] {
  const inside = new Set(scc);
  return scc.flatMap((a) => [...(g.get(a) ?? [])].filter((b) => inside.has(b)).sort().map((b) => `${a} -> ${b}`));
}

/** The graph as text, one folder a line: `a -> b, c`. */
export function formatGraph(g: FolderGraph): string {
  return [...g.keys()].sort().map((a) => `${a} -> ${[...(g.get(a) ?? [])].sort().join(', ') || '(nothing)'}`).join('\n');
}

export interface CheckResult {
  ok: boolean;
  /** Cycles left after the known edges are set aside: each one fails the check. */
  newCycles: string[][];
  /** Cycles that exist only through known edges. */
  knownCycles: string[][];
  /** Known edges no longer in the graph: remove them from the list. */
  staleKnown: string[];
}

/** Judges a graph against the list of known cycle edges. */
export function checkGraph(g: FolderGraph, known: readonly string[]): CheckResult {
  const newCycles = cycles(withoutEdges(g, known));
  const staleKnown = known.filter((e) => {
    const [a, b] = e.split(' -> ');
    return !(a !== undefined && b !== undefined && g.get(a)?.has(b));
  });
  return { ok: newCycles.length === 0, newCycles, knownCycles: cycles(g), staleKnown };
}

function sources(root: string, dir: string): Array<{ path: string; source: string }> {
  const out: Array<{ path: string; source: string }> = [];
  for (const name of readdirSync(join(root, dir))) {
    const rel = `${dir}/${name}`;
    if (statSync(join(root, rel)).isDirectory()) out.push(...sources(root, rel));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push({ path: rel, source: readFileSync(join(root, rel), 'utf8') });
  }
  return out;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The folder graph of this checkout's firmware/src and webui/src. */
export function treeGraph(root: string = ROOT): FolderGraph {
  return buildGraph([...sources(root, 'firmware/src'), ...sources(root, 'webui/src')]);
}

function main(): void {
  const root = ROOT;
  const g = treeGraph(root);
  const r = checkGraph(g, KNOWN_CYCLE_EDGES.map((k) => k.edge));
  console.log(`folder import graph (${relative(process.cwd(), root) || '.'}):\n${formatGraph(g)}\n`);
  for (const c of r.knownCycles) console.log(`cycle: ${c.join(' ⇄ ')}\n  ${edgesWithin(g, c).join('\n  ')}`);
  for (const e of r.staleKnown) console.log(`note: known cycle edge ${e} is gone; remove it from KNOWN_CYCLE_EDGES`);
  if (!r.ok) {
    for (const c of r.newCycles) console.error(`NEW import cycle between folders: ${c.join(' ⇄ ')}\n  ${edgesWithin(withoutEdges(g, KNOWN_CYCLE_EDGES.map((k) => k.edge)), c).join('\n  ')}`);
    process.exitCode = 1;
    return;
  }
  console.log(r.knownCycles.length ? `no new cycles (${r.knownCycles.length} known, listed in KNOWN_CYCLE_EDGES)` : 'no cycles');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
