// Helper run inside a LAN host's namespace: floods one HTTP server the way a broken or hostile
// office PC would, and keeps up the pressure until its stdin closes:
//   --idle N      keep N connections open that never send a byte (reopened when closed)
//   --slow N      N connections that send a request header one byte every 2 s (slowloris)
//   --requests N  N loops each sending GET / back to back (a request flood)
//   --rate N      at most N new connections per second in total (default 2000)
// Prints one JSON line per second: {"open":…,"opened":…,"closed":…,"errors":…,"responses":…}.
// Usage: flood.ts [--idle N] [--slow N] [--requests N] [--rate N] HOST:PORT
import { connect, type Socket } from 'node:net';
import { exitWithParent } from './common.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const target = argv[argv.length - 1] ?? '';
const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(target);
if (!m?.[1] || !m[2]) throw new RangeError(`bad HOST:PORT ${target}`);
const host = m[1];
const port = Number(m[2]);
const idle = opt('idle', 0);
const slow = opt('slow', 0);
const requests = opt('requests', 0);
const rate = opt('rate', 2000);

const c = { open: 0, opened: 0, closed: 0, errors: 0, responses: 0 };
let budget = rate;
const waiting: Array<() => void> = [];
const refill = setInterval(() => {
  budget = rate / 10;
  while (budget > 0 && waiting.length) { budget--; waiting.shift()!(); }
}, 100);

/** Opens a connection when the rate allows; `onOpen` gets it once connected. */
function open(onOpen: (s: Socket) => void, onEnd: () => void): void {
  const go = (): void => {
    const s = connect({ host, port });
    let connected = false;
    s.on('connect', () => { connected = true; c.open++; c.opened++; onOpen(s); });
    s.on('error', () => { c.errors++; });
    s.on('close', () => {
      if (connected) { c.open--; c.closed++; }
      onEnd();
    });
  };
  if (budget > 0) { budget--; go(); } else waiting.push(go);
}

function idleLoop(): void {
  open(() => undefined, () => setTimeout(idleLoop, 10));
}

function slowLoop(): void {
  const header = 'GET / HTTP/1.1\r\nHost: box\r\nX-Slow: ' + 'a'.repeat(4000);
  open((s) => {
    let i = 0;
    const t = setInterval(() => { if (!s.destroyed) s.write(header[i++ % header.length]!); }, 2000);
    s.on('close', () => clearInterval(t));
    s.write('G');
  }, () => setTimeout(slowLoop, 10));
}

function requestLoop(): void {
  open((s) => {
    s.setEncoding('utf8');
    s.on('data', (d: string) => { if (d.startsWith('HTTP/1.1')) c.responses++; });
    s.end(`GET / HTTP/1.1\r\nHost: box\r\nConnection: close\r\n\r\n`);
  }, () => setImmediate(requestLoop));
}

for (let i = 0; i < idle; i++) idleLoop();
for (let i = 0; i < slow; i++) slowLoop();
for (let i = 0; i < requests; i++) requestLoop();
const report = setInterval(() => process.stdout.write(`${JSON.stringify(c)}\n`), 1000);
exitWithParent(() => { clearInterval(report); clearInterval(refill); });
