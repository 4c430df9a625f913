import test from 'ava';
import fc from 'fast-check';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { buildOuiIndex, OuiIndexError } from '../../../firmware/src/devices/ouiIndex.js';

const REGISTRY = createRequire(import.meta.url).resolve('oui-data');
const HEAP_FIX = fileURLToPath(new URL('../../fixtures/devices/ouiHeap.ts', import.meta.url));
/** What the lookup answered before the index: the value's first line, trimmed. */
const firstLine = (v: string): string => (v.split('\n')[0] ?? '').trim();
const index = (o: unknown, space?: number): ReturnType<typeof buildOuiIndex> => buildOuiIndex(Buffer.from(JSON.stringify(o, null, space)));

test('the real registry: every prefix gives the name JSON.parse of it gives', (t) => {
  const bytes = readFileSync(REGISTRY);
  const parsed = JSON.parse(bytes.toString('utf8')) as Record<string, string>;
  const idx = buildOuiIndex(bytes);
  const keys = Object.keys(parsed);
  t.is(idx.size, keys.length);
  const wrong = keys.filter((k) => idx.nameOf(k) !== firstLine(parsed[k]!));
  t.deepEqual(wrong.slice(0, 5), []);
  t.true(keys.some((k) => k.length === 9) && keys.some((k) => k.length === 7));
  t.is(idx.nameOf('F0D1A9'), 'Apple, Inc.');
  t.is(idx.nameOf('F0D1A'), undefined, 'not a prefix length');
  t.is(idx.nameOf('f0d1a9'), undefined, 'prefixes are asked in upper case');
});

test('property: any registry of hex prefixes and string values reads as JSON.parse reads it', (t) => {
  const hexKey = fc.constantFrom(6, 7, 9).chain((n) => fc.string({ unit: fc.constantFrom(...'0123456789ABCDEF'), minLength: n, maxLength: n }));
  // names with quotes, backslashes, control characters, any Unicode, and "\n" where it falls
  const value = fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('\n', '"', '\\', '\t', '\u0000', 'ü', '😀', ' ')), { maxLength: 8 }).map((p) => p.join(''));
  fc.assert(fc.property(fc.dictionary(hexKey, value, { maxKeys: 40 }), fc.constantFrom(undefined, 1, 2), (reg, space) => {
    const idx = index(reg, space);
    return idx.size === Object.keys(reg).length && Object.entries(reg).every(([k, v]) => idx.nameOf(k) === firstLine(v));
  }), { numRuns: 300 });
  t.pass();
});

test('a repeated prefix keeps its last value, as JSON.parse does; an empty registry is one', (t) => {
  const idx = buildOuiIndex(Buffer.from('{"F0D1A9":"First\\nx","000001":"B","F0D1A9":"Second\\ny"}'));
  t.is(idx.size, 2);
  t.is(idx.nameOf('F0D1A9'), 'Second');
  t.is(buildOuiIndex(Buffer.from(' { } ')).size, 0);
  // escapes JSON.stringify never writes: a line end as \u000a ends the name too
  t.is(buildOuiIndex(Buffer.from('{"F0D1A9":"Apple, \\u0049nc.\\u000a1 Infinite Loop"}')).nameOf('F0D1A9'), 'Apple, Inc.');
});

test('a file that is not a flat object of hex prefixes and strings is refused, naming where', (t) => {
  const bad: Array<[string, RegExp]> = [
    ['', /expected \{ at byte 0/],
    ['[]', /expected \{/],
    ['{"F0D1A9": 1}', /expected a string value/],
    ['{"F0D1A9": {"a": "b"}}', /expected a string value/],
    ['{"F0D1AZ": "x"}', /not hex digits/],
    ['{"F0D1A9A0": "x"}', /a key of 8 digits/],
    ['{"F0D1A9": "x"', /expected \} or ,/],
    ['{"F0D1A9": "x}', /unterminated value/],
    ['{"F0D1A9": "a\nb"}', /control character/],
    ['{"F0D1A9": "\\x41"}', /bad escape/],
    ['{"F0D1A9": "x"} trailing', /more after the object/],
    ['{"F0D1A9": "x",}', /expected a key/],
    ['{"F0D1A9" "x"}', /expected :/],
  ];
  for (const [text, why] of bad) {
    const e = t.throws(() => buildOuiIndex(Buffer.from(text)), { instanceOf: OuiIndexError }, text);
    t.regex(e?.message ?? '', why, text);
  }
});

test('the index keeps under a quarter of the memory JSON.parse of the registry keeps', async (t) => {
  const kept = (mode: string): Promise<{ keptBytes: number; entries: number }> => new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', '--import=tsx', HEAP_FIX, mode], { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as never));
  });
  const parsed = await kept('parse');
  const idx = await kept('index');
  t.log(`the registry (${idx.entries} prefixes) keeps ${(parsed.keptBytes / 1048576).toFixed(1)} MiB parsed, ${(idx.keptBytes / 1048576).toFixed(1)} MiB indexed`);
  t.is(idx.entries, parsed.entries);
  t.true(idx.keptBytes * 4 < parsed.keptBytes, `${idx.keptBytes} against ${parsed.keptBytes}`);
});
