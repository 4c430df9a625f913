// Helper that forwards byte streams between a listening endpoint and a target endpoint,
// each a unix socket or TCP address. The UI bridge runs one inside a LAN host namespace
// (unix → box:80) and one on the host (127.0.0.1:8080 → unix), since a filesystem unix
// socket is reachable from every network namespace.
// Usage: forward.ts --listen unix:PATH|tcp:HOST:PORT --to unix:PATH|tcp:HOST:PORT
import { createConnection, createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { parseEndpoint, exitWithParent } from './common.js';

function arg(name: string): string {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) throw new RangeError(`missing ${name}`);
  return v;
}

const listen = parseEndpoint(arg('--listen'));
const to = parseEndpoint(arg('--to'));

const server = createServer((client) => {
  const upstream = to.kind === 'unix' ? createConnection(to.path) : createConnection({ host: to.host, port: to.port });
  client.pipe(upstream).pipe(client);
  const close = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', (e) => {
    process.stderr.write(`forward: upstream error: ${e.message}\n`);
    close();
  });
});
if (listen.kind === 'unix') {
  rmSync(listen.path, { force: true });
  server.listen(listen.path, () => process.stdout.write(`listening ${listen.path}\n`));
} else {
  server.listen({ host: listen.host, port: listen.port }, () => {
    const a = server.address();
    // Print the real port: with port 0 the kernel picks one.
    process.stdout.write(`listening ${listen.host} ${typeof a === 'object' && a !== null ? a.port : listen.port}\n`);
  });
}
server.on('error', (e) => {
  process.stderr.write(`forward: cannot listen: ${e.message}\n`);
  process.exit(1);
});
exitWithParent(() => {
  server.close();
  if (listen.kind === 'unix') rmSync(listen.path, { force: true });
});
