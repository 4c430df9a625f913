import test from 'ava';
import { countCasts } from '../../tools/castCount.js';

test('counts as-casts and non-null assertions, not as const, import aliases, comments or strings', (t) => {
  const src = [
    "import { a as b } from './x.js';",
    "import * as ns from './y.js';",
    'const k = [1, 2] as const;',
    '// a comment with x as string and y!',
    "const s = 'text as Text!';",
    'const n = (v as unknown) as number;',
    'const m = map.get(key)!.size;',
    'const o = <Foo>bar;',
  ].join('\n');
  t.deepEqual(countCasts(src), { casts: 3, nonNull: 1 });
});

test('a file without either counts zero', (t) => {
  t.deepEqual(countCasts('export const x = 1;\n'), { casts: 0, nonNull: 0 });
});
