// Findings the store could not take outlive the process (app/heldFile.ts): kept in a file
// beside the store (the unit's runtime dir), stored by the next process, and the file read as
// untrusted.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Conditions } from '../../../firmware/src/app/conditions.js';
import { HELD_FILE, HeldFile, readHeldFile } from '../../../firmware/src/app/heldFile.js';
import { StorageWatch } from '../../../firmware/src/app/storage.js';
import type { Finding } from '../../../firmware/src/alerts/types.js';

function logged(): { log: { info: () => void; warn: (m: string) => void; error: (m: string) => void }; lines: string[] } {
  const lines: string[] = [];
  return { lines, log: { info: () => undefined, warn: (m) => lines.push(m), error: (m) => lines.push(m) } };
}

function dir(t: { teardown: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'utm-held-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const hit: Finding = {
  kind: 'blocklist_hit', severity: 'danger', dedupKey: 'aa:bb:cc:dd:ee:01|198.51.100.7', at: 1_764_800_000_000,
  device: { mac: 'aa:bb:cc:dd:ee:01', ip: '192.168.77.20' }, remote: { ip: '198.51.100.7', port: 443 }, direction: 'outbound',
  action: 'blocked', count: 3, params: { feed: 'abuse.ch', port: 443, blocked: true }, evidence: { rule: 'bl_x', hits: [1, 2] },
};
const quietOne: Finding = { kind: 'storage_failed', severity: 'warning', dedupKey: 'storage', at: 2, action: 'none', params: {}, evidence: {}, upstream: false };

function watch(stateDir: string, runtimeDir: string, reraise: (f: Finding) => void, log = logged().log): StorageWatch {
  return new StorageWatch({
    stateDir, runtimeDir, minFreeMb: 1, checkMs: 60_000, conditions: new Conditions(() => 1), log,
    prune: () => ({}), reraise, read: async () => ({ freeBytes: 100 << 20, totalBytes: 1000 << 20 }),
  });
}

test('findings held while writes fail are kept in the runtime dir, and the next process stores them (then the file goes)', async (t) => {
  const state = dir(t);
  const runtime = dir(t);
  const first = watch(state, runtime, () => t.fail('nothing is stored by the first process'));
  first.noteFailure(Object.assign(new Error('read-only'), { code: 'EROFS' }), 'alert blocklist_hit');
  first.hold(hit);
  first.hold(quietOne);
  await first.stop(); // settles once the file is written
  t.true(existsSync(join(runtime, HELD_FILE)), 'in the runtime dir, not the state dir');
  t.false(existsSync(join(state, HELD_FILE)));

  // the process after it: its store takes them (a store in memory, say)
  const stored: Finding[] = [];
  const second = watch(state, runtime, (f) => stored.push(f));
  second.restoreHeld();
  t.deepEqual(stored, [hit, quietOne], 'every field as it was, in order');
  await second.stop();
  t.false(existsSync(join(runtime, HELD_FILE)), 'stored: nothing left to store twice');
});

test('a finding the next process cannot store either stays held, and in the file', async (t) => {
  const state = dir(t);
  const runtime = dir(t);
  const first = watch(state, runtime, () => undefined);
  first.hold(hit);
  await first.stop();
  let second: StorageWatch | null = null;
  second = watch(state, runtime, (f) => second?.hold(f)); // its store refuses too: the daemon's raise holds it again
  second.restoreHeld();
  await second.stop();
  t.is(second.status().held, 1);
  t.deepEqual(readHeldFile(join(runtime, HELD_FILE), logged().log), [hit]);
});

test('the held list is written again as it changes, merged while a write is under way, and removed once stored', async (t) => {
  const state = dir(t);
  const runtime = dir(t);
  const path = join(runtime, HELD_FILE);
  const f = new HeldFile(path, logged().log);
  const many = Array.from({ length: 50 }, (_, i) => ({ ...hit, dedupKey: `k${i}` }));
  for (let i = 1; i <= many.length; i++) f.save(many.slice(0, i));
  await f.idle();
  t.is(readHeldFile(path, logged().log).length, 50, 'the last list wins');
  f.save([]);
  await f.idle();
  t.false(existsSync(path));
  t.false(existsSync(join(state, HELD_FILE)));
});

test('a held file is read as untrusted: not JSON, another shape, oversized, bad entries: a clear log line, the good entries kept, never a throw', (t) => {
  const d = dir(t);
  const path = join(d, HELD_FILE);
  const { log, lines } = logged();
  t.deepEqual(readHeldFile(path, log), [], 'no file: nothing, and nothing said');
  t.is(lines.length, 0);
  writeFileSync(path, '{"version":1,"findings":[');
  t.deepEqual(readHeldFile(path, log), []);
  t.regex(lines.at(-1) ?? '', /not JSON/);
  writeFileSync(path, JSON.stringify({ version: 2, findings: [hit] }));
  t.deepEqual(readHeldFile(path, log), []);
  t.regex(lines.at(-1) ?? '', /not a list of held findings/);
  writeFileSync(path, JSON.stringify({
    version: 1,
    findings: [
      hit,
      { ...hit, kind: '<script>' }, // not a catalog key
      { ...hit, severity: 'panic' },
      { ...hit, params: { nested: { x: 1 } } }, // params are plain values only
      { ...hit, remote: { ip: '198.51.100.7', port: 70000 } },
      'text',
      quietOne,
    ],
  }));
  t.deepEqual(readHeldFile(path, log), [hit, quietOne]);
  t.regex(lines.at(-1) ?? '', /5 of 7 .* dropped/);
  writeFileSync(path, Buffer.alloc(5 * 1024 * 1024, 0x20));
  t.deepEqual(readHeldFile(path, log), []);
  t.regex(lines.at(-1) ?? '', /at most/);
});

test('a runtime dir that takes no writes: the findings stay held in memory, said once', async (t) => {
  const d = dir(t);
  const { log, lines } = logged();
  const f = new HeldFile(join(d, 'missing-parent', 'x', HELD_FILE), log);
  writeFileSync(join(d, 'missing-parent'), 'a file where a dir should be');
  f.save([hit]);
  await f.idle();
  f.save([hit, quietOne]);
  await f.idle();
  t.is(lines.filter((l) => /cannot write/.test(l)).length, 1);
  t.is(readFileSync(join(d, 'missing-parent'), 'utf8'), 'a file where a dir should be');
});
