import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scratchDir } from '../../../firmware/src/sys/paths.js';

// The nft documents go to the unit's RuntimeDirectory (a tmpfs) when systemd names one, and to
// the state dir otherwise: a missing, relative or non-directory name must never lose the apply.
test('scratchDir: the unit runtime directory when it is one, else the state dir', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-scratch-'));
  try {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    t.is(scratchDir('/state', {}), '/state', 'not under systemd');
    t.is(scratchDir('/state', { RUNTIME_DIRECTORY: '' }), '/state');
    t.is(scratchDir('/state', { RUNTIME_DIRECTORY: dir }), dir);
    t.is(scratchDir('/state', { RUNTIME_DIRECTORY: `${dir}:/run/other` }), dir, 'several directories: the first');
    t.is(scratchDir('/state', { RUNTIME_DIRECTORY: 'relative/dir' }), '/state');
    t.is(scratchDir('/state', { RUNTIME_DIRECTORY: join(dir, 'absent') }), '/state');
    t.is(scratchDir('/state', { RUNTIME_DIRECTORY: file }), '/state', 'a file, not a directory');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
