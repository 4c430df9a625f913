// SdNotifier: readiness and watchdog pings only under systemd, at half WATCHDOG_USEC, never
// piling up, and a failing systemd-notify is reported, not thrown.
import test from 'ava';
import { SdNotifier, watchdogIntervalMs } from '../../../firmware/src/sys/sdNotify.js';
import { waitFor } from '../../lab/poll.js';

test('watchdogIntervalMs: half the period, only for our pid, off without WATCHDOG_USEC', (t) => {
  t.is(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }, 1), 15_000);
  t.is(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, 7), 15_000);
  t.is(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '8' }, 7), null);
  t.is(watchdogIntervalMs({}, 1), null);
  t.is(watchdogIntervalMs({ WATCHDOG_USEC: 'x' }, 1), null);
  t.is(watchdogIntervalMs({ WATCHDOG_USEC: '10' }, 1), 500, 'floor keeps a tiny value from spinning');
});

test('outside systemd nothing is sent', async (t) => {
  const sent: string[][] = [];
  const n = new SdNotifier({ env: {}, pid: 1, run: async (a) => { sent.push([...a]); }, onError: () => t.fail() });
  await n.ready('x');
  await n.stop();
  t.deepEqual(sent, []);
});

test('ready, then watchdog pings on the event loop, then stopping', async (t) => {
  const sent: string[][] = [];
  const n = new SdNotifier({ env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '1000000' }, pid: 1, run: async (a) => { sent.push([...a]); }, onError: () => t.fail() });
  await n.ready('running: bridge mode');
  t.deepEqual(sent[0], ['--ready', '--status=running: bridge mode']);
  await waitFor(() => sent.filter((a) => a[0] === 'WATCHDOG=1').length >= 2, { timeoutMs: 5000 });
  await n.stop();
  const count = sent.length;
  t.deepEqual(sent.at(-1), ['--stopping']);
  await new Promise((r) => setTimeout(r, 1200));
  t.is(sent.length, count, 'no ping after stop');
});

test('a failing systemd-notify is reported and never throws', async (t) => {
  const errors: unknown[] = [];
  const n = new SdNotifier({ env: { NOTIFY_SOCKET: '/run/x' }, pid: 1, run: async () => { throw new Error('ENOENT'); }, onError: (e) => errors.push(e) });
  await n.ready('x');
  t.is(errors.length, 1);
});
