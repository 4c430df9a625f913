import test from 'ava';
import { classifyUlogdLine } from '../../../firmware/src/sensors/ulogdLog.js';

// Lines as ulogd2 2.0.8 prints them (format from a real run; loss texts from its plugins).
const L = (level: number, text: string): string => `Thu Nov 26 13:44:19 2026 <${level}> ulogd_inpflow_NFCT.c:1234 ${text}`;

test('readiness line', (t) => {
  t.deepEqual(classifyUlogdLine('Thu Nov 26 13:44:19 2026 <3> ulogd.c:1645 initialization finished, entering main loop'), { kind: 'ready' });
});

test('loss lines', (t) => {
  t.deepEqual(classifyUlogdLine(L(5, 'We are losing events, increasing buffer size to 16777216')),
    { kind: 'loss-growing', bufferSize: 16777216 });
  t.deepEqual(classifyUlogdLine(L(5, "We are losing events. Please, consider using the clauses `netlink_socket_buffer_size' and `netlink_socket_buffer_maxsize'")),
    { kind: 'loss-unbounded' });
  t.deepEqual(classifyUlogdLine(L(5, 'Maximum buffer size (33554432) in NFCT has been reached. Please, consider rising `netlink_socket_buffer_size` and `netlink_socket_buffer_maxsize` clauses.')),
    { kind: 'loss-max-reached', plugin: 'NFCT', bufferSize: 33554432 });
  t.like(classifyUlogdLine(L(5, 'Maximum buffer size (8388608) in NFLOG has been reached. Please...')), { plugin: 'NFLOG' });
});

test('errors and everything else', (t) => {
  t.like(classifyUlogdLine(L(7, "can't bind to log group 7")), { kind: 'error', level: 7 });
  t.deepEqual(classifyUlogdLine(L(5, 'registering plugin `JSON\'')), { kind: 'other', level: 5 });
  t.deepEqual(classifyUlogdLine('random garbage'), { kind: 'other', level: undefined });
  t.deepEqual(classifyUlogdLine(''), { kind: 'other', level: undefined });
});
