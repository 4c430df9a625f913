// Helper run inside an "internet" host namespace: accepts TCP connections on the given
// ADDR:PORT pairs, writes one line and closes, and prints every accept on stdout as
// `accept LOCAL_ADDR LOCAL_PORT REMOTE_ADDR` so tests can see which connections passed.
// Usage: tcpListen.ts ADDR:PORT [ADDR:PORT ...]   (IPv6 as [ADDR]:PORT)
import { createServer } from 'node:net';
import { exitWithParent } from './common.js';

const servers = process.argv.slice(2).map((spec) => {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(spec);
  if (m?.[1] === undefined || m[2] === undefined) throw new RangeError(`bad ADDR:PORT ${spec}`);
  const host = m[1];
  const port = Number(m[2]);
  const server = createServer((sock) => {
    process.stdout.write(`accept ${host} ${port} ${sock.remoteAddress ?? '?'}\n`);
    sock.on('error', () => undefined);
    sock.end('hello from the lab\n');
  });
  server.listen({ host, port }, () => process.stdout.write(`listening ${host} ${port}\n`));
  return server;
});
exitWithParent(() => servers.forEach((s) => s.close()));
