// Counts `as` casts (not `as const`) and `!` non-null assertions in firmware/src and
// webui/src, read from the syntax tree so comments, strings and import aliases never count.
// Issue 13 asks to report these numbers before and after; eslint's no-non-null-assertion
// keeps `!` from coming back, and this count shows where the `as` casts still are.
//   npx tsx test/tools/castCount.ts [--files]   (--files: per-file counts, most first)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Casts and non-null assertions in one source text. */
export interface CastCount {
  casts: number;
  nonNull: number;
}

/** Count `x as T` (not `as const`), `<T>x` and `x!` in TypeScript source text. Never throws. */
export function countCasts(text: string, fileName = 'x.ts'): CastCount {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: CastCount = { casts: 0, nonNull: 0 };
  const visit = (n: ts.Node): void => {
    if (ts.isAsExpression(n) || ts.isTypeAssertionExpression(n)) {
      const t = n.type;
      const isConst = ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName) && t.typeName.text === 'const';
      if (!isConst) out.casts++;
    } else if (ts.isNonNullExpression(n)) {
      out.nonNull++;
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function main(): void {
  const root = resolve(fileURLToPath(import.meta.url), '../../..');
  const perFile = process.argv.includes('--files');
  for (const top of ['firmware/src', 'webui/src']) {
    const rows = tsFiles(join(root, top)).map((f) => ({ f: relative(root, f), ...countCasts(readFileSync(f, 'utf8'), f) }));
    const casts = rows.reduce((a, r) => a + r.casts, 0);
    const nonNull = rows.reduce((a, r) => a + r.nonNull, 0);
    console.log(`${top}: ${casts} as-casts, ${nonNull} non-null assertions`);
    if (perFile) {
      for (const r of rows.filter((x) => x.casts + x.nonNull > 0).sort((a, b) => b.casts + b.nonNull - (a.casts + a.nonNull))) {
        console.log(`  ${r.f}: ${r.casts} as, ${r.nonNull} !`);
      }
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
