import test from 'ava';
import { parseArgs } from '../../../firmware/src/cli/args.js';
import { controlSockets } from '../../../firmware/src/cli/controlSockets.js';

const p = (...argv: string[]) => parseArgs([...argv, 'status'], ['state-dir', 'runtime-dir'], []);

test('utmctl looks in the state dir, then the runtime dir (given, from the unit\'s environment, or the unit\'s own with the default state dir)', (t) => {
  t.deepEqual(controlSockets(p(), {}), ['/var/lib/otasuke-utm/utmd.sock', '/run/otasuke-utm/utmd.sock']);
  t.deepEqual(controlSockets(p('--state-dir', '/tmp/s'), {}), ['/tmp/s/utmd.sock'], 'another state dir: not the unit\'s runtime dir');
  t.deepEqual(controlSockets(p('--state-dir', '/tmp/s'), { RUNTIME_DIRECTORY: '/run/x:/run/y' }), ['/tmp/s/utmd.sock', '/run/x/utmd.sock']);
  t.deepEqual(controlSockets(p('--state-dir', '/tmp/s', '--runtime-dir', '/tmp/r'), { RUNTIME_DIRECTORY: '/run/x' }), ['/tmp/s/utmd.sock', '/tmp/r/utmd.sock']);
  t.deepEqual(controlSockets(p('--state-dir', '/tmp/s', '--runtime-dir', '/tmp/s'), {}), ['/tmp/s/utmd.sock'], 'the same dir once');
});
