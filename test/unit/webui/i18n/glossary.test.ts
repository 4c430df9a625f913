// The glossary holds: every string literal in the message catalog and the views (found with the
// TypeScript parser, so comments and code names do not count) uses the glossary's word for each
// concept, never a variant (許可 for approve, サポート窓口, ブロック, "support desk", ...).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import test from 'ava';
import ts from 'typescript';
import { GLOSSARY, glossaryViolations, term } from '../../../../webui/src/i18n/glossary.js';

const ROOT = join(import.meta.dirname, '../../../..');
const SCANNED = ['webui/src/i18n', 'webui/src/views', 'webui/src/routes'];
const SKIP = new Set(['webui/src/i18n/glossary.ts']);
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/u;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every piece of literal text in a TypeScript file (strings and template chunks). */
export function literals(source: string): string[] {
  const sf = ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) out.push(n.text);
    if (ts.isImportDeclaration(n)) return;
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

test('the glossary finds each variant the issue named and passes the glossary words', (t) => {
  t.deepEqual(glossaryViolations('機器を許可する', 'ja').map((v) => v.term), ['approve']);
  t.deepEqual(glossaryViolations('サポート窓口にご相談ください', 'ja').map((v) => v.term), ['helpDesk']);
  t.deepEqual(glossaryViolations('お問い合わせ先', 'ja').map((v) => v.term), ['helpDesk']);
  t.deepEqual(glossaryViolations('接続をブロックしました', 'ja').map((v) => v.term), ['block']);
  t.deepEqual(glossaryViolations('call the support desk', 'en').map((v) => v.term), ['helpDesk']);
  t.deepEqual(glossaryViolations('allow this device', 'en').map((v) => v.term), ['approve']);
  for (const k of Object.keys(GLOSSARY) as Array<keyof typeof GLOSSARY>) {
    t.deepEqual(glossaryViolations(term(k, 'ja'), 'ja'), [], k);
    t.deepEqual(glossaryViolations(term(k, 'en'), 'en'), [], k);
  }
  t.deepEqual(glossaryViolations('相談窓口にご連絡ください。監視センターに届いています。', 'ja'), []);
});

test('no catalog or view text uses a non-glossary variant', (t) => {
  const found: string[] = [];
  let scanned = 0;
  for (const dir of SCANNED) {
    for (const f of files(join(ROOT, dir))) {
      const rel = relative(ROOT, f);
      if (SKIP.has(rel)) continue;
      for (const text of literals(readFileSync(f, 'utf8'))) {
        scanned++;
        const lang = JAPANESE.test(text) ? 'ja' : 'en';
        for (const v of glossaryViolations(text, lang)) found.push(`${rel}: ${v.found} (${v.term}) in ${JSON.stringify(text.slice(0, 80))}`);
      }
    }
  }
  t.true(scanned > 500, `scanned ${scanned} literals`);
  t.deepEqual(found, []);
});
