// makeDir: mkdir -p that tells why. The read-only case (Node's recursive mkdir says ENOENT on a
// read-only file system, makeDir says EROFS) needs a mount: test/integration/robust/readOnly.test.ts.
import test from 'ava';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDir, writeAtomic } from '../../../firmware/src/sys/files.js';

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
