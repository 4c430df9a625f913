import test from 'ava';
import { silenceState } from '../../../firmware/src/upstream/silence.js';
import type { UpstreamStatus } from '../../../firmware/src/upstream/contract.js';

const MIN = 60_000;
const T = 15 * MIN;
const base: UpstreamStatus = {
  transport: 'tls', peer: '198.51.100.10:6514', peerCertSha256: null, connected: false, connectedSince: 0,
  lastConfirmedSeq: 41, lastConfirmedAt: 0, queueDepth: 0, queueBytes: 0, oldestWaitingAt: null, overflowLost: {}, lastError: null, nextSeq: 42,
};

test('no collector provisioned: none, never silent', (t) => {
  t.deepEqual(silenceState(null, 10 * T, T), { state: 'none' });
  t.deepEqual(silenceState({ ...base, peer: null, queueDepth: 3, oldestWaitingAt: 0 }, 10 * T, T), { state: 'none' });
});

test('nothing waiting is fine however long since the last confirmation', (t) => {
  t.deepEqual(silenceState({ ...base, lastConfirmedAt: 0 }, 100 * T, T), { state: 'ok', waiting: 0 });
});

test('messages waiting: silent only after the threshold, counted from the later of last confirmation and oldest waiting', (t) => {
  const s = { ...base, queueDepth: 4, lastConfirmedAt: 10 * MIN, oldestWaitingAt: 12 * MIN };
  t.is(silenceState(s, 12 * MIN + T, T).state, 'ok', 'exactly at the threshold is not yet longer than it');
  const late = silenceState(s, 12 * MIN + T + 1, T);
  t.like(late, { state: 'silent', waiting: 4, since: 12 * MIN, silentMs: T + 1 });
  // a message queued after a long idle spell has had no chance yet
  t.is(silenceState({ ...s, lastConfirmedAt: 0, oldestWaitingAt: 100 * MIN }, 101 * MIN, T).state, 'ok');
  // a confirmation after the oldest waiting one (the queue keeps moving) restarts the clock
  t.is(silenceState({ ...s, lastConfirmedAt: 30 * MIN, oldestWaitingAt: 12 * MIN }, 40 * MIN, T).state, 'ok');
  t.is(silenceState({ ...s, lastConfirmedAt: null, oldestWaitingAt: 0 }, T + 1, T).state, 'silent', 'never confirmed anything');
});

test('an injected clock walks through a 20-minute outage: ok until 15 min, silent after, ok once confirmed', (t) => {
  const states: string[] = [];
  for (let m = 0; m <= 22; m++) {
    const now = m * MIN;
    const confirmed = m >= 21;
    const s = { ...base, queueDepth: confirmed ? 0 : 1 + m, lastConfirmedAt: confirmed ? 21 * MIN : -MIN, oldestWaitingAt: confirmed ? null : 0 };
    states.push(silenceState(s, now, T).state);
  }
  t.deepEqual(states.map((s, m) => `${m}:${s}`).filter((x) => x.endsWith('silent')).map((x) => Number(x.split(':')[0])), [16, 17, 18, 19, 20]);
});
