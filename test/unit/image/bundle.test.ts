// The bundle firmware/bin/utmd runs (make build: tsc, then firmware/bundle.mjs): plain ASCII, so
// V8 stores its source one byte a character, and an entry that stays small and imports the
// daemon's chunk only after it has restored the last-good ruleset.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { packageRoot } from '../../../firmware/src/sys/paths.js';

const DIR = join(packageRoot(), 'dist', 'bundle');

test('every bundled file is plain ASCII (the Japanese text escaped)', (t) => {
  t.true(existsSync(join(DIR, 'utmd.js')), 'dist/bundle missing: run `make build` first');
  const js = readdirSync(DIR).filter((f) => f.endsWith('.js'));
  t.true(js.length >= 2);
  for (const f of js) {
    const text = readFileSync(join(DIR, f), 'latin1');
    t.false(/[^\x00-\x7f]/.test(text), `${f} holds a character above U+007F`);
  }
  const escaped = /\\u4e16\\u754c\\u6a19\\u6e96\\u6642/i; // 世界標準時, a word the page shows
  t.true(js.some((f) => escaped.test(readFileSync(join(DIR, f), 'latin1'))), 'the page text is in the bundle, escaped');
});

test('the entry is small and loads the daemon only through a dynamic import', (t) => {
  const entry = readFileSync(join(DIR, 'utmd.js'), 'latin1');
  t.true(statSync(join(DIR, 'utmd.js')).size < 16 * 1024, 'the entry holds the daemon');
  const daemon = readdirSync(DIR).find((f) => /^utmdMain-.*\.js$/.test(f));
  t.truthy(daemon);
  t.true(entry.includes(`import("./${daemon}")`), 'the daemon chunk is imported dynamically');
  t.false(new RegExp(`from\\s*["']\\./${daemon}["']`).test(entry), 'the daemon chunk is not a static import');
});
