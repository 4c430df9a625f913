// makeDir: mkdir -p that tells why; prepareAtomic: a small content in synchronous writes, a large
// or streamed one in awaited ones, each fsynced, renamed only at commit. The read-only case
// (Node's recursive mkdir says ENOENT on a read-only file system, makeDir says EROFS) needs a
// mount: test/integration/robust/readOnly.test.ts; a full disk: test/integration/robust/.
import test from 'ava';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDir, prepareAtomic, writeAtomic } from '../../../firmware/src/sys/files.js';

test('makeDir makes the missing parents (0700), is fine with a dir that exists, and names a real obstacle', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-files-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await makeDir(join(dir, 'a', 'b'));
  t.true(statSync(join(dir, 'a', 'b')).isDirectory());
  t.is(statSync(join(dir, 'a', 'b')).mode & 0o777, 0o700);
  await t.notThrowsAsync(makeDir(join(dir, 'a', 'b')));
  writeFileSync(join(dir, 'file'), '');
  await t.throwsAsync(makeDir(join(dir, 'file', 'sub')), { code: 'ENOTDIR' });
  await writeAtomic(join(dir, 'c', 'd', 'x.json'), '{}');
  t.is(statSync(join(dir, 'c', 'd', 'x.json')).size, 2, 'writeAtomic makes its dir the same way');
});

test('prepareAtomic: small, large and streamed contents land whole at commit (0600 over a leftover temp), discard keeps the old file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-files-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const large = Buffer.alloc(300 * 1024, 'x'); // past the synchronous path's limit
  async function* pieces(): AsyncIterable<string> { yield 'a'.repeat(70_000); yield 'b'; }
  for (const [name, data, expected] of [
    ['small.txt', 'small\n', Buffer.from('small\n')],
    ['buf.bin', Buffer.from([0, 1, 2, 255]), Buffer.from([0, 1, 2, 255])],
    ['large.bin', large, large],
    ['streamed.txt', pieces(), Buffer.from(`${'a'.repeat(70_000)}b`)],
  ] as const) {
    const path = join(dir, 'new', 'sub', name); // the dir is made on the way
    const p = await prepareAtomic(path, data);
    t.false(existsSync(path), `${name}: not in place before commit`);
    await p.commit();
    t.deepEqual(readFileSync(path), expected, name);
    t.is(statSync(path).mode & 0o777, 0o600, name);
  }
  // a temp file left by a killed process with a wider mode: open(…, 'w') keeps it, the write narrows it
  const path = join(dir, 'new', 'sub', 'small.txt');
  writeFileSync(`${path}.tmp-${process.pid}`, 'stale stale stale', { mode: 0o644 });
  chmodSync(`${path}.tmp-${process.pid}`, 0o644);
  const again = await prepareAtomic(path, 'next');
  t.is(statSync(`${path}.tmp-${process.pid}`).mode & 0o777, 0o600);
  await again.discard();
  t.is(readFileSync(path, 'utf8'), 'small\n', 'discard leaves what the file held');
  t.deepEqual(readdirSync(join(dir, 'new', 'sub')).sort(), ['buf.bin', 'large.bin', 'small.txt', 'streamed.txt']);
});

test('prepareAtomic names the obstacle, small or large, and puts nothing in place', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-files-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'file'), '');
  await t.throwsAsync(prepareAtomic(join(dir, 'file', 'x.txt'), 'small'), { code: 'ENOTDIR' });
  // the large path makes the dir first: mkdir -p says the name is taken
  await t.throwsAsync(prepareAtomic(join(dir, 'file', 'y.bin'), Buffer.alloc(300 * 1024)), { code: 'EEXIST' });
  mkdirSync(join(dir, `z.txt.tmp-${process.pid}`)); // its temp name taken by a dir
  await t.throwsAsync(prepareAtomic(join(dir, 'z.txt'), 'small'), { code: 'EISDIR' });
  t.deepEqual(readdirSync(dir).sort(), ['file', `z.txt.tmp-${process.pid}`]);
});
