import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brkHeapBlocked, heapVerdict, MAX_TRIES } from '../../../firmware/src/sys/heapRoom.js';

// Maps of two real processes on this machine (node 20.20.2, the bundle loaded under the unit's
// flags, 2026-12-07): one of 300 starts whose heap ended on a 256 KiB boundary, where V8 put its
// code range right on the heap's end (RSS 79.6 MB), and an ordinary one (69 MB).
const BLOCKED = `00400000-00b6f000 r--p 00000000 fe:00 260689                             /usr/bin/node
0563e000-0565d000 rw-p 0523d000 fe:00 260689                             /usr/bin/node
0565d000-05689000 rw-p 00000000 00:00 0
197e7000-19a00000 rw-p 00000000 00:00 0                                  [heap]
19a00000-19a02000 rw-p 00000000 00:00 0
19a02000-19a03000 ---p 00000000 00:00 0
19a03000-19a3f000 rwxp 00000000 00:00 0
15a9d00c0000-15a9d031f000 rw-p 00000000 00:00 0
7f288e743000-7f288eb34000 rw-p 00000000 00:00 0
`;
const ROOMY = `00400000-00b6f000 r--p 00000000 fe:00 260689                             /usr/bin/node
0563e000-0565d000 rw-p 0523d000 fe:00 260689                             /usr/bin/node
0565d000-05689000 rw-p 00000000 00:00 0
2a160000-2a424000 rw-p 00000000 00:00 0                                  [heap]
1c6a6240000-1c6a6280000 rw-p 00000000 00:00 0
7f649c000000-7f649c002000 rw-p 00000000 00:00 0
7f649c003000-7f649c03f000 rwxp 00000000 00:00 0
`;

test('brkHeapBlocked: a mapping that begins where the heap ends, and only that', (t) => {
  t.true(brkHeapBlocked(BLOCKED));
  t.false(brkHeapBlocked(ROOMY));
  t.false(brkHeapBlocked(ROOMY.replace('2a424000', '2a423000')), 'a page between them is room');
  t.false(brkHeapBlocked(BLOCKED.replace('[heap]', '')), 'no heap (nothing allocated by brk yet): nothing to say');
  t.false(brkHeapBlocked(''));
  // the order of the lines does not matter
  t.true(brkHeapBlocked(BLOCKED.split('\n').reverse().join('\n')));
});

function runtimeDir(): string {
  return mkdtempSync(join(tmpdir(), 'utm-heaproom-'));
}

test('heapVerdict: under systemd a blocked heap ends the start, at most MAX_TRIES times in a row', (t) => {
  const dir = runtimeDir();
  try {
    const env = { INVOCATION_ID: 'abc', RUNTIME_DIRECTORY: dir };
    for (let i = 1; i <= MAX_TRIES; i++) {
      const v = heapVerdict(BLOCKED, env);
      t.true(v.startAgain, `try ${i}`);
      t.regex(v.note ?? '', new RegExp(`try ${i} of ${MAX_TRIES}`));
    }
    const last = heapVerdict(BLOCKED, env);
    t.false(last.startAgain, 'the same draw every time (no address randomisation): go on');
    t.regex(last.note ?? '', /going on with it/);
    t.false(existsSync(join(dir, 'heap-blocked-starts')), 'the count starts again');
    t.true(heapVerdict(BLOCKED, env).startAgain, 'a later start may try again');
    t.false(heapVerdict(ROOMY, env).startAgain);
    t.false(existsSync(join(dir, 'heap-blocked-starts')), 'a start with room clears the count');
    t.is(heapVerdict(ROOMY, env).note, undefined, 'nothing to say');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('heapVerdict: run by hand, in the lab, or with a runtime dir it cannot write, utmd goes on', (t) => {
  t.false(heapVerdict(BLOCKED, {}).startAgain, 'not under systemd: nobody would start it again');
  t.regex(heapVerdict(BLOCKED, {}).note ?? '', /going on/);
  t.false(heapVerdict(BLOCKED, { INVOCATION_ID: 'abc' }).startAgain, 'no runtime dir');
  t.false(heapVerdict(BLOCKED, { INVOCATION_ID: 'abc', RUNTIME_DIRECTORY: 'relative' }).startAgain);
  t.false(heapVerdict(BLOCKED, { RUNTIME_DIRECTORY: '/run/x' }).startAgain, 'not started by systemd');
  const dir = runtimeDir();
  try {
    const env = { INVOCATION_ID: 'abc', RUNTIME_DIRECTORY: join(dir, 'absent') }; // named, gone
    const v = heapVerdict(BLOCKED, env);
    t.false(v.startAgain, 'the count cannot be kept: never a loop of restarts');
    t.regex(v.note ?? '', /cannot be written/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('heapVerdict: a count file with rubbish in it counts as none', (t) => {
  const dir = runtimeDir();
  try {
    const env = { INVOCATION_ID: 'abc', RUNTIME_DIRECTORY: dir };
    writeFileSync(join(dir, 'heap-blocked-starts'), 'nine\n');
    t.true(heapVerdict(BLOCKED, env).startAgain);
    t.is(readFileSync(join(dir, 'heap-blocked-starts'), 'utf8'), '1\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
