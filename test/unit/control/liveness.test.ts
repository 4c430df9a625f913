// The kernel's view of utmd's main thread, read from /proc text: which states and wait places
// count as an occupied event loop, and the liveness file's shape.
import test from 'ava';
import { mainThreadOccupied, parseLivenessFile, parseProcStat } from '../../../firmware/src/control/liveness.js';

const stat = (comm: string, state: string, start: number): string =>
  `4242 (${comm}) ${state} 1 4242 4242 0 -1 4194560 2713 0 0 0 31 7 0 0 20 0 7 0 ${start} 1108000768 23000 18446744073709551615 1 1 0 0 0 0 0 4096 17410 0 0 0 17 1 0 0 0 0 0`;

test('the state and start time are read after the name, whatever the name holds', (t) => {
  t.deepEqual(parseProcStat(stat('node', 'S', 123456)), { state: 'S', startTicks: 123456 });
  t.deepEqual(parseProcStat(stat('a) R (b', 'R', 99)), { state: 'R', startTicks: 99 });
  t.is(parseProcStat('garbage'), null);
  t.is(parseProcStat('1 (x) S 1 2'), null);
});

test('running or in I/O is occupied; asleep in epoll is a free loop; asleep elsewhere is occupied; stopped or dead is neither', (t) => {
  t.true(mainThreadOccupied('R', 'do_epoll_wait'));
  t.true(mainThreadOccupied('D', 'folio_wait_bit_common'));
  t.false(mainThreadOccupied('S', 'do_epoll_wait'));
  t.false(mainThreadOccupied('S', 'ep_poll'), 'older kernels name the wait ep_poll');
  t.true(mainThreadOccupied('S', 'futex_do_wait'), 'a synchronous wait (Atomics.wait, a lock) holds the loop');
  t.false(mainThreadOccupied('S', '0'), 'wchan hidden: counted free, so utmctl ends in "not answering", never "busy" for ever');
  t.is(mainThreadOccupied('T', 'do_signal_stop'), null);
  t.is(mainThreadOccupied('Z', ''), null);
});

test('the liveness file is validated like any outside input', (t) => {
  t.deepEqual(parseLivenessFile('{"pid":7,"startTicks":5,"running":[{"cmd":"status","at":1}]}'), { pid: 7, startTicks: 5, running: [{ cmd: 'status', at: 1 }] });
  t.is(parseLivenessFile('{"pid":"7","startTicks":5,"running":[]}'), null);
  t.is(parseLivenessFile(`{"pid":7,"startTicks":5,"running":[{"cmd":"${'x'.repeat(101)}","at":1}]}`), null);
  t.is(parseLivenessFile('not json'), null);
});
