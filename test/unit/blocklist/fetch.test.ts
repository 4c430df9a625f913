import test from 'ava';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { bodyDigest, FeedFetchError, fetchFeed, type FeedFetchFailure } from '../../../firmware/src/blocklist/fetch.js';

const BODY = '192.0.2.1\n198.51.100.0/24\n';
const SHA = createHash('sha256').update(BODY).digest('hex');
const PACED = Array.from({ length: 3000 }, (_, i) => `198.51.100.${i % 256}\n`).join('');

/** A local feed server on 127.0.0.1 with a few misbehaving paths. `pace(sent)`: awaited before
 *  /paced's next piece, once `sent` bytes of it are out (default: 5 ms). */
async function startServer(t: { teardown: (fn: () => void) => void }, pace: (sent: number) => Promise<void> = () => new Promise((r) => setTimeout(r, 5))): Promise<string> {
  const server = http.createServer((req, res) => {
    switch (req.url) {
      case '/feed':
        if (req.headers['if-none-match'] === '"v1"' || req.headers['if-modified-since'] === 'Thu, 26 Nov 2026 08:00:00 GMT') {
          res.writeHead(304).end();
          return;
        }
        res.writeHead(200, { etag: '"v1"', 'last-modified': 'Thu, 26 Nov 2026 08:00:00 GMT', 'content-type': 'text/plain' }).end(BODY);
        return;
      case '/big-declared':
        res.writeHead(200, { 'content-length': '100000' }).end('x'.repeat(100000));
        return;
      case '/big-chunked': {
        res.writeHead(200); // no content-length: limit must hold while streaming
        const chunk = 'y'.repeat(4096);
        let n = 0;
        const push = (): void => {
          if (n++ > 200 || res.destroyed) { res.end(); return; }
          res.write(chunk, push);
        };
        push();
        return;
      }
      case '/paced': {
        // a declared length, the body in pieces apart (copied into place as they come)
        const body = Buffer.from(PACED);
        res.writeHead(200, { 'content-length': String(body.length) });
        const cuts = [0, 7, 20_000, 20_001, body.length];
        let i = 0;
        const next = (): void => {
          if (i === cuts.length - 1) { res.end(); return; }
          res.write(body.subarray(cuts[i], cuts[i + 1]));
          i++;
          void pace(cuts[i] ?? 0).then(next);
        };
        next();
        return;
      }
      case '/slow':
        res.writeHead(200);
        res.write('192.0.2.1\n'); // then never finishes
        return;
      case '/missing':
        res.writeHead(404).end('no');
        return;
      case '/redirect':
        res.writeHead(302, { location: '/feed' }).end();
        return;
      case '/loop':
        res.writeHead(302, { location: '/loop' }).end();
        return;
      default:
        res.writeHead(500).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function failure(p: Promise<unknown>): Promise<FeedFetchFailure | 'resolved'> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    if (err instanceof FeedFetchError) return err.reason;
    throw err;
  }
}

// generous deadline: the suite shares the machine with namespace tests; only /slow tests the timeout
const base = { timeoutMs: 60_000, maxBytes: 64 * 1024 };

test('downloads, reports validators (the digest only when pinned); 304 means unchanged', async (t) => {
  const url = await startServer(t);
  const r = await fetchFeed({ ...base, url: `${url}/feed` });
  if (r.status !== 'ok') return t.fail('expected ok');
  t.is(r.body.toString('utf8'), BODY);
  t.is(r.sha256, undefined, 'not pinned: the caller takes the digest later (bodyDigest)');
  t.is(bodyDigest(r.body), SHA);
  const pinned = await fetchFeed({ ...base, url: `${url}/feed`, sha256: SHA.toUpperCase() });
  t.is(pinned.status === 'ok' ? pinned.sha256 : null, SHA);
  t.is(r.etag, '"v1"');
  t.is(r.lastModified, 'Thu, 26 Nov 2026 08:00:00 GMT');
  const told: number[] = [];
  t.deepEqual(await fetchFeed({ ...base, url: `${url}/feed`, etag: '"v1"', sized: (n) => told.push(n) }), { status: 'unchanged', peers: ['127.0.0.1'] });
  t.deepEqual(told, [], 'a 304 has no size to tell');
  t.deepEqual(await fetchFeed({ ...base, url: `${url}/feed`, lastModified: r.lastModified }), { status: 'unchanged', peers: ['127.0.0.1'] });
});

test('a body with a declared length that comes in pieces arrives whole, with its digest; its size is told before it arrives', async (t) => {
  const url = await startServer(t);
  const told: number[] = [];
  const r = await fetchFeed({ ...base, url: `${url}/paced`, sized: (n) => told.push(n), sha256: createHash('sha256').update(PACED).digest('hex') });
  if (r.status !== 'ok') return t.fail(`expected ok: ${JSON.stringify(r)}`);
  t.deepEqual(told, [Buffer.byteLength(PACED)], 'once, the declared length');
  t.is(r.body.toString('utf8'), PACED);
  t.is(r.sha256, createHash('sha256').update(PACED).digest('hex'));
});

test('a body with a declared length is shown as it arrives: the buffer it fills and how much is in', async (t) => {
  // each of the server's 4 pieces goes out once the fetch has shown every byte before it (a
  // pause of a few ms was not enough on a loaded machine: two pieces came in one read)
  let shown = 0;
  let waiting: Array<[number, () => void]> = [];
  const pace = (sent: number): Promise<void> => new Promise((resolve) => {
    if (shown >= sent) resolve();
    else waiting.push([sent, resolve]);
    setTimeout(resolve, 2_000).unref(); // a fetch that shows nothing before the end fails below, not by a hang
  });
  const url = await startServer(t, pace);
  const seen: Array<[Buffer, number, string]> = [];
  const received = (body: Buffer, bytes: number): void => {
    seen.push([body, bytes, body.subarray(0, bytes).toString('latin1')]);
    shown = bytes;
    for (const [sent, resolve] of waiting) if (shown >= sent) resolve();
    waiting = waiting.filter(([sent]) => shown < sent);
  };
  const r = await fetchFeed({ ...base, url: `${url}/paced`, received });
  if (r.status !== 'ok') return t.fail(`expected ok: ${JSON.stringify(r)}`);
  t.true(seen.length >= 4, `in pieces: ${seen.length}`);
  t.true(seen.every(([b]) => b === r.body), 'one buffer, the body returned');
  t.deepEqual(seen.map(([, n]) => n), [...seen.map(([, n]) => n)].sort((a, b) => a - b), 'growing');
  t.is(seen.at(-1)?.[1], Buffer.byteLength(PACED));
  t.true(seen.every(([, n, text]) => text === PACED.slice(0, n)), 'each time, the body\'s first bytes as sent');
  const none: number[] = [];
  await fetchFeed({ ...base, url: `${url}/big-chunked`, maxBytes: 10_000_000, received: (_, n) => none.push(n) });
  t.deepEqual(none, [], 'no declared length: nothing to show it in');
});

test('reports the servers it resolved and connected to, on success and on failure', async (t) => {
  const url = await startServer(t);
  const r = await fetchFeed({ ...base, url: `${url}/feed` });
  t.deepEqual(r.peers, ['127.0.0.1']);
  // a host name: every address it resolves to is reported, the one connected to among them
  const byName = await fetchFeed({ ...base, url: `${url.replace('127.0.0.1', 'localhost')}/feed` }).catch((e: unknown) => e);
  const peers = byName instanceof FeedFetchError ? byName.peers : (byName as { peers?: string[] }).peers;
  t.true(peers!.includes('127.0.0.1') || peers!.includes('::1'), JSON.stringify(peers));
  const err = await t.throwsAsync(fetchFeed({ ...base, url: `${url}/missing` }), { instanceOf: FeedFetchError });
  t.deepEqual(err?.peers, ['127.0.0.1'], 'a server answering 404 is still the feed\'s server');
});

test('pinned sha256: match passes, mismatch fails', async (t) => {
  const url = await startServer(t);
  t.is((await fetchFeed({ ...base, url: `${url}/feed`, sha256: SHA })).status, 'ok');
  t.is(await failure(fetchFeed({ ...base, url: `${url}/feed`, sha256: '0'.repeat(64) })), 'checksum_mismatch');
});

test('size limit by header and while streaming', async (t) => {
  const url = await startServer(t);
  t.is(await failure(fetchFeed({ ...base, url: `${url}/big-declared` })), 'too_large');
  t.is(await failure(fetchFeed({ ...base, url: `${url}/big-chunked` })), 'too_large');
});

test('timeout, HTTP errors, redirects, bad URLs', async (t) => {
  const url = await startServer(t);
  t.is(await failure(fetchFeed({ ...base, timeoutMs: 300, url: `${url}/slow` })), 'timeout');
  t.is(await failure(fetchFeed({ ...base, url: `${url}/missing` })), 'http_status');
  t.is((await fetchFeed({ ...base, url: `${url}/redirect` })).status, 'ok');
  t.is(await failure(fetchFeed({ ...base, url: `${url}/loop` })), 'redirect');
  t.is(await failure(fetchFeed({ ...base, url: 'ftp://127.0.0.1/x' })), 'bad_url');
  t.is(await failure(fetchFeed({ ...base, url: 'not a url' })), 'bad_url');
});

test('connection refused is a network failure', async (t) => {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  t.is(await failure(fetchFeed({ ...base, url: `http://127.0.0.1:${port}/feed` })), 'network');
});

/** A raw TCP "feed server" that writes `head` + `body` and then drops the connection (RST or FIN). */
async function dyingServer(t: { teardown: (fn: () => void) => void }, head: string, body: string, end: 'reset' | 'close'): Promise<string> {
  const server = net.createServer((sock) => {
    sock.on('error', () => {});
    sock.once('data', () => {
      sock.write(head + body, () => (end === 'reset' ? sock.resetAndDestroy() : sock.end()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`;
}

// The feed server dies in the middle of a large update: whatever says where the body ends, a cut
// body is a failed download (the last-good stays), never a shorter list that looks whole.
const PART = '203.0.113.1\n203.0.113.2\n203.0.1'; // cut inside a line
test('a server that dies mid-body is a network failure, with a length, chunked, or close-delimited', async (t) => {
  const withLength = await dyingServer(t, 'HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n', PART, 'close');
  t.is(await failure(fetchFeed({ ...base, url: withLength })), 'network');
  const chunked = await dyingServer(t, 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n', `${PART.length.toString(16)}\r\n${PART}\r\n`, 'reset');
  t.is(await failure(fetchFeed({ ...base, url: chunked })), 'network');
  const chunkedFin = await dyingServer(t, 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n', `${PART.length.toString(16)}\r\n${PART}\r\n`, 'close');
  t.is(await failure(fetchFeed({ ...base, url: chunkedFin })), 'network');
  // no length at all (HTTP/1.0 style): the close is the only end marker, so a body cut mid-line is refused
  const closeDelimited = await dyingServer(t, 'HTTP/1.0 200 OK\r\nconnection: close\r\n\r\n', PART, 'close');
  const e = await t.throwsAsync(fetchFeed({ ...base, url: closeDelimited }), { instanceOf: FeedFetchError });
  t.is(e?.reason, 'network');
  t.regex(e?.message ?? '', /mid-line/);
});

test('a close-delimited body that ends a record is whole (text with its line break, JSON with its bracket)', async (t) => {
  for (const body of ['203.0.113.1\n203.0.113.2\n', '203.0.113.1\r\n', '[{"ip":"203.0.113.1"}]', '{"a":[1]}\n  ', '']) {
    const url = await dyingServer(t, 'HTTP/1.0 200 OK\r\nconnection: close\r\n\r\n', body, 'close');
    const r = await fetchFeed({ ...base, url });
    t.is(r.status === 'ok' ? r.body.toString() : r.status, body, JSON.stringify(body));
  }
});
