// An unchanged download costs nothing: a server that sends the same bytes again (no ETag)
// is recognised by the body's digest (or, with the last download kept, by its bytes) before
// anything is parsed, planned or applied. The digest itself is taken when the outcome is
// recorded (`digest`), not on the download's path.
import test from 'ava';
import { createHash } from 'node:crypto';
import { refreshFeed } from '../../../firmware/src/blocklist/refresh.js';
import { ParseReuse } from '../../../firmware/src/blocklist/lastParse.js';
import { FeedSchema, type ResolvedFeed } from '../../../firmware/src/config/feedCatalog.js';
import { buildGuard } from '../../../firmware/src/blocklist/guard.js';
import type { FeedFetchRequest, FeedFetchResult } from '../../../firmware/src/blocklist/fetch.js';

const feed = { ...FeedSchema.parse({
  id: 'f1', name: { ja: 'テスト', en: 'test' }, description: { ja: 'テスト', en: 'test' }, category: 'malware', urls: { v4: 'http://192.0.2.53/f1.txt' }, format: 'plain', direction: 'both', action: 'drop', minEntries: 1, refresh: '0 * * * *', enabledByDefault: true,
}), enabled: true } as unknown as ResolvedFeed;

function server(body: string): { fetch: (r: FeedFetchRequest) => Promise<FeedFetchResult>; calls: number } {
  const s = {
    calls: 0,
    fetch: async (): Promise<FeedFetchResult> => {
      s.calls++;
      const b = Buffer.from(body);
      return { status: 'ok', body: b, finalUrl: feed.urls.v4! }; // as fetchFeed: no digest unless pinned
    },
  };
  return s;
}

const limits = { fetchTimeoutSeconds: 5, maxBytes: 1 << 20 };

test('the same body again is unchanged; a changed body is evaluated; without last-good it is always evaluated', async (t) => {
  const s = server('198.51.100.7\n203.0.113.0/24\n');
  const first = await refreshFeed({ feed, limits, guard: buildGuard(), validators: {}, lastGoodUsable: null, fetch: s.fetch });
  t.is(first.kind, 'ok');
  if (first.kind !== 'ok') return;
  t.is(first.validators['v4']?.sha256, undefined, 'no digest taken yet');
  first.digest();
  t.is(first.validators['v4']?.sha256, createHash('sha256').update('198.51.100.7\n203.0.113.0/24\n').digest('hex'), 'the digest is kept with the validators');
  const again = await refreshFeed({ feed, limits, guard: buildGuard(), validators: first.validators, lastGoodUsable: first.usable, fetch: s.fetch });
  t.is(again.kind, 'unchanged');
  const noLastGood = await refreshFeed({ feed, limits, guard: buildGuard(), validators: first.validators, lastGoodUsable: null, fetch: s.fetch });
  t.is(noLastGood.kind, 'ok', 'nothing loaded yet: evaluated even when the bytes are the same');
  const changed = server('198.51.100.8\n');
  const next = await refreshFeed({ feed, limits, guard: buildGuard(), validators: first.validators, lastGoodUsable: first.usable, fetch: changed.fetch });
  t.is(next.kind, 'ok');
});

test('with the last download kept, the same bytes are told by comparing them; a digest that is not the accepted one is not trusted', async (t) => {
  const s = server('198.51.100.7\n203.0.113.0/24\n');
  const reuse = new ParseReuse();
  const first = await refreshFeed({ feed, limits, guard: buildGuard(), validators: {}, lastGoodUsable: null, fetch: s.fetch, reuse });
  if (first.kind !== 'ok') return t.fail(first.kind);
  t.truthy(reuse.last, 'the download is kept');
  first.digest();
  t.is(reuse.last?.sha256, first.validators['v4']?.sha256, 'the kept download knows its digest');
  const again = await refreshFeed({ feed, limits, guard: buildGuard(), validators: first.validators, lastGoodUsable: first.usable, fetch: s.fetch, reuse });
  t.is(again.kind, 'unchanged');
  // a later download that the kernel refused: kept (and digested), but never accepted; the same
  // bytes as the accepted download again must still be unchanged, and the refused ones not
  const refused = server('198.51.100.9\n');
  const r = await refreshFeed({ feed, limits, guard: buildGuard(), validators: first.validators, lastGoodUsable: first.usable, fetch: refused.fetch, reuse });
  if (r.kind !== 'ok') return t.fail(r.kind);
  r.digest();
  t.not(reuse.last?.sha256, first.validators['v4']?.sha256);
  t.is((await refreshFeed({ feed, limits, guard: buildGuard(), validators: first.validators, lastGoodUsable: first.usable, fetch: s.fetch, reuse })).kind, 'unchanged', 'by digest');
  t.is((await refreshFeed({ feed, limits, guard: buildGuard(), validators: first.validators, lastGoodUsable: first.usable, fetch: refused.fetch, reuse })).kind, 'ok');
});
