import test from 'ava';
import { buildGraph, checkGraph, cycles, folderOf, importSpecifiers, KNOWN_CYCLE_EDGES, treeGraph } from '../../tools/importGraph.js';

const file = (path: string, ...imports: string[]) => ({ path, source: imports.map((i, n) => `import { x${n} } from '${i}';`).join('\n') });

test('folders are firmware/src/<x> and webui/src/<y>; top-level webui files are `webui`', (t) => {
  t.is(folderOf('firmware/src/net/ip.ts'), 'firmware/net');
  t.is(folderOf('firmware/src/net/sub/deep.ts'), 'firmware/net');
  t.is(folderOf('webui/src/views/page.ts'), 'webui/views');
  t.is(folderOf('webui/src/app.ts'), 'webui');
  t.is(folderOf('test/unit/x.test.ts'), null);
  t.is(folderOf('image/build.ts'), null);
});

test('static, type-only, re-export and dynamic imports all count; packages do not', (t) => {
  const src = "import a from './a.js';\nimport type { B } from '../b/b.js';\nexport { c } from '../c/c.js';\nconst d = await import('../d/d.js');\nimport z from 'zod';";
  t.deepEqual(importSpecifiers(src).sort(), ['../b/b.js', '../c/c.js', '../d/d.js', './a.js']);
});

test('a two-folder cycle fails the check; the same graph without it passes', (t) => {
  const files = [
    file('firmware/src/a/x.ts', '../b/y.js', './z.js'),
    file('firmware/src/b/y.ts', '../c/w.js'),
    file('firmware/src/c/w.ts', '../a/x.js'),
    file('webui/src/views/v.ts', '../../../firmware/src/a/x.js'),
  ];
  const g = buildGraph(files);
  t.deepEqual([...(g.get('firmware/a') ?? [])], ['firmware/b'], 'self-imports are not edges');
  t.deepEqual(cycles(g), [['firmware/a', 'firmware/b', 'firmware/c']]);
  const r = checkGraph(g, []);
  t.false(r.ok);
  t.deepEqual(r.newCycles, [['firmware/a', 'firmware/b', 'firmware/c']]);
  // a known edge sets the cycle aside ...
  t.true(checkGraph(g, ['firmware/c -> firmware/a']).ok);
  // ... but a new cycle elsewhere still fails, and a stale known edge is reported
  const more = buildGraph([...files, file('webui/src/i18n/t.ts', '../views/v.js'), file('webui/src/views/u.ts', '../i18n/t.js')]);
  const r2 = checkGraph(more, ['firmware/c -> firmware/a', 'firmware/x -> firmware/y']);
  t.false(r2.ok);
  t.deepEqual(r2.newCycles, [['webui/i18n', 'webui/views']]);
  t.deepEqual(r2.staleKnown, ['firmware/x -> firmware/y']);
});

test('no cycle is tolerated: the known-edge list is empty and the tree has no cycle at all', (t) => {
  t.deepEqual(KNOWN_CYCLE_EDGES, [], 'fix a new cycle instead of listing it');
  t.deepEqual(checkGraph(treeGraph(), []).knownCycles, []);
});

test('the tree has no cycle beyond the known edges, and each known edge is needed', (t) => {
  const g = treeGraph();
  const all = KNOWN_CYCLE_EDGES.map((k) => k.edge);
  const r = checkGraph(g, all);
  t.deepEqual(r.newCycles, []);
  t.deepEqual(r.staleKnown, [], 'remove edges that are gone from KNOWN_CYCLE_EDGES');
  for (const e of all) t.false(checkGraph(g, all.filter((x) => x !== e)).ok, `${e} closes no cycle: remove it from KNOWN_CYCLE_EDGES`);
});
