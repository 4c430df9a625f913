// Bundles utmd (after `tsc -p tsconfig.build.json`, from its output) into dist/bundle/: the tiny
// entry that restores the last-good ruleset, and the daemon it then imports, each one ESM file
// with the npm dependencies inside (better-sqlite3 stays outside: it is a native module).
// Why: V8 keeps every loaded module's record and source text for the process's life, and
// node's ESM loader holds more per module. The 298 compiled files and ~100 dependency files
// held 4 MB RSS above one bundle in a bare load, ~1 MB after 10 idle minutes (README "Memory";
// with glibc's mmap threshold at 512 KiB, utmd.service). The output is plain ASCII: one non-ASCII
// character left in a template or regex (the Japanese text) would make V8 store the whole file
// as two bytes a character. `make build` runs this; image/build.sh too. Run: node firmware/bundle.mjs
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every character above U+007F as a \u escape: valid in strings, templates and regexes alike. */
function asciiOnly(text) {
  return text.replace(/[^\x00-\x7f]/gu, (c) => {
    const cp = c.codePointAt(0);
    const unit = (u) => `\\u${u.toString(16).padStart(4, '0')}`;
    if (cp < 0x10000) return unit(cp);
    const v = cp - 0x10000;
    return unit(0xd800 + (v >> 10)) + unit(0xdc00 + (v & 0x3ff));
  });
}

/** Escapes each input as esbuild reads it, so the source map still matches the output. */
const asciiInputs = {
  name: 'ascii-inputs',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?js$/ }, async (a) => ({ contents: asciiOnly(await readFile(a.path, 'utf8')), loader: 'js' }));
  },
};

rmSync(new URL('../dist/bundle', import.meta.url), { recursive: true, force: true }); // no stale chunks
await build({
  absWorkingDir: root,
  entryPoints: ['dist/firmware/src/cli/utmd.js'],
  outdir: 'dist/bundle',
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  charset: 'ascii',
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  sourcemap: 'linked',
  external: ['better-sqlite3'],
  // CommonJS dependencies (express) call require(); ESM output has none of its own.
  banner: { js: "import{createRequire as __utmdRequire}from'node:module';const require=__utmdRequire(import.meta.url);" },
  plugins: [asciiInputs],
  logLevel: 'warning',
});
