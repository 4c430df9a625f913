// Helper for "an open connection dies" tests: one long-lived TCP connection that keeps
// talking. `echo ADDR:PORT` (internet side) echoes every line back; `talk ADDR:PORT` (office
// side) connects once, sends a numbered line every 100 ms on that same connection and prints
// `connected LOCALPORT` once (so a test can find the connection's conntrack entry), `reply N`
// for each line echoed back, `closed` when the connection ends.
// Usage: chatter.ts echo|talk ADDR:PORT   (IPv6 as [ADDR]:PORT)
import { connect, createServer } from 'node:net';
import { exitWithParent } from './common.js';

const [mode, spec] = process.argv.slice(2);
const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(spec ?? '');
if (m?.[1] === undefined || m[2] === undefined || (mode !== 'echo' && mode !== 'talk')) throw new RangeError('usage: chatter.ts echo|talk ADDR:PORT');
const host = m[1];
const port = Number(m[2]);

if (mode === 'echo') {
  const server = createServer((sock) => {
    sock.on('error', () => undefined);
    sock.pipe(sock);
  });
  server.listen({ host, port, ipv6Only: host.includes(':') }, () => process.stdout.write(`listening ${host} ${port}\n`));
  exitWithParent(() => server.close());
} else {
  const sock = connect({ host, port });
  let n = 0;
  let buf = '';
  const timer = setInterval(() => sock.write(`${++n}\n`), 100);
  sock.on('connect', () => process.stdout.write(`connected ${sock.localPort ?? '?'}\n`));
  sock.on('data', (d) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const l of lines) process.stdout.write(`reply ${l}\n`);
  });
  sock.on('error', (e) => process.stdout.write(`error ${(e as NodeJS.ErrnoException).code ?? e.message}\n`));
  sock.on('close', () => {
    clearInterval(timer);
    process.stdout.write('closed\n');
  });
  exitWithParent(() => sock.destroy());
}
