// prepareAtomic: the new content is written and synced beside the file, and replaces it only
// on commit; a discarded one leaves the old file and no temporary file behind.
import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareAtomic, writeAtomic } from '../../../firmware/src/sys/files.js';

test('a prepared file replaces the old one only on commit; a discarded one leaves nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-files-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'a.json');
  writeFileSync(path, 'old');
  const p = await prepareAtomic(path, 'new');
  t.is(readFileSync(path, 'utf8'), 'old', 'not in place before commit');
  await p.commit();
  t.is(readFileSync(path, 'utf8'), 'new');
  const q = await prepareAtomic(path, Buffer.from('newer'));
  await q.discard();
  t.is(readFileSync(path, 'utf8'), 'new');
  t.deepEqual(readdirSync(dir), ['a.json'], 'no temporary file left');
  await writeAtomic(join(dir, 'sub', 'b.json'), 'x');
  t.is(readFileSync(join(dir, 'sub', 'b.json'), 'utf8'), 'x');
});
