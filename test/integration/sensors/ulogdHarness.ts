// Runs INSIDE a test network namespace (`ip netns exec NS node --import tsx this.ts ARGS`),
// the way utmd runs inside the box namespace: sets the conntrack sysctls, binds the
// UdpEventListener on the namespace's loopback, starts the supervised ulogd2 sensor, and
// reports everything to the test process as JSON lines on stdout. SIGTERM stops it cleanly.
import { UdpEventListener } from '../../../firmware/src/sensors/listener.js';
import { ulogdParsers } from '../../../firmware/src/sensors/parsers.js';
import { UlogdSensor } from '../../../firmware/src/sensors/ulogd.js';
import { CONNTRACK_SYSCTLS, setSysctls } from '../../../firmware/src/sys/sysctl.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { stateDir: string; group: number; nfct: boolean };
const say = (o: object): void => { process.stdout.write(`${JSON.stringify(o)}\n`); };

await setSysctls(CONNTRACK_SYSCTLS);
const t0 = performance.now();
const listener = new UdpEventListener({
  port: 0, parsers: ulogdParsers(), now: Date.now,
  onEvent: (event) => say({ kind: 'event', event }),
});
const port = await listener.start();
say({ kind: 'listening', port, recvBuffer: listener.recvBufferSize() });

const sensor = new UlogdSensor({
  stateDir: args.stateDir,
  config: {
    pluginDir: '/usr/lib/x86_64-linux-gnu/ulogd', nflogGroups: [args.group], udpPort: port,
    nfct: { enabled: args.nfct }, netlinkBufferSize: 8388608, netlinkBufferMaxSize: 33554432,
  },
  now: Date.now,
  onHealth: (h) => say({ kind: 'health', health: h, pid: sensor.pid(), ms: performance.now() - t0 }),
  onLoss: (stats) => say({ kind: 'loss', stats }),
  backoff: { initialMs: 100, maxMs: 1000 },
});
await sensor.start();

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await sensor.stop();
  await listener.stop();
  say({ kind: 'stopped', counters: listener.counters() });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
// Periodic counters so the test can see unhandled/malformed datagrams too.
setInterval(() => say({ kind: 'counters', counters: listener.counters() }), 200).unref();
