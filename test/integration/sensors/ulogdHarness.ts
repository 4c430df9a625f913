// Runs INSIDE a test network namespace (`ip netns exec NS node --import tsx this.ts ARGS`),
// the way utmd runs inside the box namespace: the Observation feature sets the conntrack
// sysctls, binds the listener on the namespace's loopback and starts the supervised
// ulogd2. Everything is reported to the test as JSON lines on stdout. SIGTERM stops it.
import { Observation } from '../../../firmware/src/sensors/observation.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { stateDir: string; group: number; nfct: boolean };
const say = (o: object): void => { process.stdout.write(`${JSON.stringify(o)}\n`); };

const t0 = performance.now();
const obs: Observation = new Observation({
  stateDir: args.stateDir, nflogGroups: [args.group], nfct: { enabled: args.nfct }, now: Date.now,
  onEvent: (event) => say({ kind: 'event', event }),
  onHealth: (h) => say({ kind: 'health', health: h, pid: h.pid, ms: performance.now() - t0 }),
  onLoss: (stats) => say({ kind: 'loss', stats }),
});
await obs.start();
say({ kind: 'listening', port: obs.status().port, recvBuffer: obs.status().recvBufferBytes });

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  const counters = obs.status().listener;
  await obs.stop();
  say({ kind: 'stopped', counters });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
setInterval(() => say({ kind: 'counters', counters: obs.status().listener }), 200).unref();
