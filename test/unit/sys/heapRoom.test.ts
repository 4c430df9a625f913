import test from 'ava';
import { brkHeapBlocked, heapNote } from '../../../firmware/src/sys/heapRoom.js';

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
  t.false(brkHeapBlocked(BLOCKED.replace('197e7000-19a00000', '197e7000-199ff000')), 'a page between the heap and the code range is room');
  t.false(brkHeapBlocked(BLOCKED.replace('[heap]', '')), 'no heap (nothing allocated by brk yet): nothing to say');
  t.false(brkHeapBlocked(''));
  // the order of the lines does not matter
  t.true(brkHeapBlocked(BLOCKED.split('\n').reverse().join('\n')));
});

test('heapNote: one line for the journal when the heap cannot grow, nothing otherwise', (t) => {
  t.regex(heapNote(BLOCKED) ?? '', /^utmd: this process's malloc heap cannot grow .*\n$/);
  t.is(heapNote(ROOMY), undefined);
  t.is(heapNote(''), undefined);
});
