// Helper run inside an "internet" host namespace: accepts TCP connections on the given
// ADDR:PORT pairs, writes one line and closes, and prints every accept on stdout as
// `accept LOCAL_ADDR LOCAL_PORT REMOTE_ADDR` so tests can see which connections passed.
// LOCAL_ADDR is the address the client dialled, which matters for wildcard listeners
// (0.0.0.0 / ::) in the wan namespace where whole "internet" prefixes are local.
// Usage: tcpListen.ts ADDR:PORT [ADDR:PORT ...]   (IPv6 as [ADDR]:PORT)
import { createServer } from 'node:net';
import { exitWithParent } from './common.js';

const servers = process.argv.slice(2).map((spec) => {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(spec);
  if (m?.[1] === undefined || m[2] === undefined) throw new RangeError(`bad ADDR:PORT ${spec}`);
  const host = m[1];
  const port = Number(m[2]);
  const server = createServer((sock) => {
    const local = (sock.localAddress ?? host).replace(/^::ffff:/, '');
    process.stdout.write(`accept ${local} ${port} ${(sock.remoteAddress ?? '?').replace(/^::ffff:/, '')}\n`);
    sock.on('error', () => undefined);
    sock.end('hello from the lab\n');
  });
  // `::` would also take IPv4 and clash with a 0.0.0.0 listener on the same port.
  server.listen({ host, port, ipv6Only: host.includes(':') }, () => process.stdout.write(`listening ${host} ${port}\n`));
  return server;
});
exitWithParent(() => servers.forEach((s) => s.close()));
