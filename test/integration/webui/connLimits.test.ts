// The page's connection caps with real sockets on loopback: one client holding many idle
// connections is capped, and another client (another loopback address) is still served.
import test from 'ava';
import { request } from 'node:http';
import net from 'node:net';
import { startWebServer } from '../../../webui/src/server.js';
import { waitFor } from '../../lab/poll.js';

function get(port: number, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', localAddress, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a client over its cap is cut off; idle and slow-header connections time out; another client is served', async (t) => {
  const srv = await startWebServer((_req, res) => res.end('ok'), {
    host: '127.0.0.1', port: 0, limits: { maxConnections: 100, perClient: 8, idleMs: 1500, headersMs: 1500, requestMs: 3000 },
  });
  const held: net.Socket[] = [];
  t.teardown(async () => {
    for (const s of held) s.destroy();
    await srv.close();
  });
  // 30 idle connections from 127.0.0.1: the page keeps at most 8 of them
  const closed: boolean[] = [];
  for (let i = 0; i < 30; i++) {
    const s = net.createConnection({ host: '127.0.0.1', port: srv.port, localAddress: '127.0.0.1' });
    s.on('error', () => undefined);
    const idx = closed.push(false) - 1;
    s.on('close', () => { closed[idx] = true; });
    held.push(s);
  }
  await waitFor(() => srv.connections().refusedPerClient >= 22, { timeoutMs: 10_000, what: 'per-client refusals' });
  t.true(srv.connections().open <= 8);
  // another client is still served at once
  t.is(await get(srv.port, '127.0.0.2'), 200);
  // a slow-header client (sends half a request line, then nothing) and the idle ones are closed by the page
  const slow = net.createConnection({ host: '127.0.0.1', port: srv.port, localAddress: '127.0.0.3' });
  slow.on('error', () => undefined);
  held.push(slow);
  slow.write('GET / HTTP/1.1\r\nHost: x\r\n');
  let slowClosed = false;
  slow.on('close', () => { slowClosed = true; });
  await waitFor(() => closed.every((c) => c), { timeoutMs: 15_000, what: 'idle connections closed by the page' });
  await waitFor(() => slowClosed, { timeoutMs: 15_000, what: 'slow-header connection closed by the page' });
  t.is(srv.connections().open, 0);
  t.true(srv.connections().timedOut >= 8);
});
