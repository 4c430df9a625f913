// A feed read from its changed lines walks them while its download arrives (fetch.ts
// `received`, bodyDelta.ts BodyWalk), through the real HTTP download from a local server that
// sends the body in pieces: the outcome is the one a whole read gives, the walk had passed most
// of the body when the download ended, and a redirect, a body cut short or a byte-order mark
// leave nothing of a half walk behind.
import test, { type ExecutionContext } from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { refreshFeed, type RefreshOutcome } from '../../../firmware/src/blocklist/refresh.js';
import { ParseReuse } from '../../../firmware/src/blocklist/lastParse.js';
import { buildGuard } from '../../../firmware/src/blocklist/guard.js';
import type { ResolvedFeed } from '../../../firmware/src/config/feedCatalog.js';
import { ipv4Text } from '../../../firmware/src/net/ipText.js';

/** 30,000 addresses in a seeded order (a list published unsorted), and its next version: 1%
 *  of them replaced here and there. */
function versions(): [Buffer, Buffer] {
  let s = 7;
  const next = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  const a = Array.from({ length: 30_000 }, () => 0x0b000000 + (next() % 0x50000000));
  const b = a.map((v, i) => (i % 100 === 50 ? 0xcb007100 + (i % 256) : v));
  const text = (xs: number[]): Buffer => Buffer.from(`# list\n${xs.map(ipv4Text).join('\n')}\n`);
  return [text(a), text(b)];
}

interface Served { body: Buffer; pieces: number; declared?: number }

/** A local feed server: `/feed` answers what `now.body` holds, in `pieces` writes a turn of the
 *  event loop apart, with a declared length; `/moved` redirects to it. */
async function feedServer(t: ExecutionContext, now: Served): Promise<string> {
  const server = http.createServer((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/feed' }).end();
      return;
    }
    const body = now.body;
    res.writeHead(200, { 'content-length': String(now.declared ?? body.length) });
    const size = Math.ceil(body.length / now.pieces);
    let at = 0;
    const write = (): void => {
      if (at >= body.length) {
        if (now.declared !== undefined && now.declared > body.length) res.destroy(); // cut short
        else res.end();
        return;
      }
      res.write(body.subarray(at, (at += size)));
      setTimeout(write, 1);
    };
    write();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const feedAt = (url: string): ResolvedFeed => ({
  id: 'arriving', urls: { v4: url }, format: 'plain', allowHostBits: false, minEntries: 1, maxShrinkRatio: 0.5, maxRejectRatio: 0.1, maxBytes: 1 << 24,
}) as unknown as ResolvedFeed;

const limits = { fetchTimeoutSeconds: 20, maxBytes: 1 << 24 };
const guard = buildGuard({});
const read = (url: string, reuse: ParseReuse | undefined, lastGood: number | null): Promise<RefreshOutcome> =>
  refreshFeed({ feed: feedAt(url), limits, guard, validators: {}, lastGoodUsable: lastGood, reuse });
const result = (o: RefreshOutcome): unknown => (o.kind === 'ok' ? { first: [...o.ranges.v4First], last: [...o.ranges.v4Last], usable: o.usable } : o);

test('the changed lines are walked as the download arrives: the outcome of a whole read, most of the walk done when it ends', async (t) => {
  const [v1, v2] = versions();
  const now: Served = { body: v1, pieces: 40 };
  const base = await feedServer(t, now);
  const reuse = new ParseReuse();
  for (const path of ['/feed', '/moved']) { // and through a redirect: the walk follows the answer with a body
    now.body = v1;
    const first = await read(`${base}${path}`, reuse, null);
    t.is(first.kind, 'ok');
    now.body = v2;
    const second = await read(`${base}${path}`, reuse, first.kind === 'ok' ? first.usable : null);
    if (second.kind !== 'ok') return t.fail(JSON.stringify(second));
    t.truthy(second.v4Delta, `${path}: read from its changed lines`);
    const early = second.timings.walkedEarlyBytes ?? 0;
    t.true(early > v2.length - 64 * 1024, `${path}: walked ${early} of ${v2.length} bytes before the download ended`);
    t.deepEqual(result(second), result(await read(`${base}${path}`, undefined, first.kind === 'ok' ? first.usable : null)), `${path}: as a whole read`);
  }
});

test('a download cut short, or one with a byte-order mark, leaves no half walk: the next one is read right', async (t) => {
  const [v1, v2] = versions();
  const now: Served = { body: v1, pieces: 20 };
  const url = `${await feedServer(t, now)}/feed`;
  const reuse = new ParseReuse();
  const first = await read(url, reuse, null);
  const usable = first.kind === 'ok' ? first.usable : null;
  Object.assign(now, { body: v2.subarray(0, v2.length >> 1), declared: v2.length }); // the server dies halfway
  const cut = await read(url, reuse, usable);
  t.is(cut.kind, 'fault');
  t.true(reuse.last?.body.equals(v1), 'the last good download is still the one kept');
  Object.assign(now, { body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), v2]), declared: undefined });
  const bom = await read(url, reuse, usable);
  t.is(bom.kind, 'ok');
  t.is(bom.kind === 'ok' ? bom.v4Delta : 'x', undefined, 'a byte-order mark: read whole');
  now.body = v2;
  const again = await read(url, reuse, usable);
  t.deepEqual(result(again), result(await read(url, undefined, usable)));
});
