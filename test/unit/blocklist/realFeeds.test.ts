// Real public blocklists (FireHOL blocklist-ipsets: firehol_level1, Spamhaus DROP, ET block,
// DShield, ET compromised, an empty Feodo list; test/fixtures/feeds/real/SOURCES.md) through
// the refresh's own reading on numbers, against the bigint reference and against FireHOL's
// iprange, whose output a `.netset` is: the prefixes we cut must be its lines exactly, less
// the lines the guard refuses. And what the masked layout makes of real lists: how many
// lengths get a hash set of their own, and what goes to the interval set.
import test from 'ava';
import { REAL_FEEDS, contentPrefixes, dataLines, realFeed, referenceRead, refreshRead } from '../../helpers/realFeeds.js';
import { MASKED_MAX_LENGTHS, MASKED_MIN_PREFIXES } from '../../../firmware/src/blocklist/prefixSets.js';
import { parseEntry, rangeToCidrs } from '../../../firmware/src/net/ip.js';
import { createHash } from 'node:crypto';
import { refreshFeed, type RefreshOutcome } from '../../../firmware/src/blocklist/refresh.js';
import { ParseReuse } from '../../../firmware/src/blocklist/lastParse.js';
import { buildGuard } from '../../../firmware/src/blocklist/guard.js';
import { FeedSchema, type ResolvedFeed } from '../../../firmware/src/config/feedCatalog.js';

const withData = REAL_FEEDS.filter((f) => dataLines(realFeed(f.feed).text).length > 0);

test('the corpus: six lists, each read whole as its header counts it', (t) => {
  t.is(REAL_FEEDS.length, 6);
  for (const f of REAL_FEEDS) {
    const { text } = realFeed(f.feed);
    t.regex(f.commit, /^[0-9a-f]{40}$/);
    // FireHOL's header: "# Entries : <n> subnets, <m> unique IPs" (an ipset: "<m> unique IPs")
    const head = /^# Entries\s*: (?:(\d+) subnets, )?(\d+) unique IPs/m.exec(text);
    t.truthy(head, `${f.file}: header`);
    const lines = dataLines(text);
    const ips = lines.reduce((n, l) => { const r = parseEntry(l); return n + (r.last - r.first + 1n); }, 0n);
    t.is(ips, BigInt(head![2]!), `${f.file}: addresses`);
    if (head![1] !== undefined) t.is(lines.length, Number(head![1]), `${f.file}: entries`);
    else t.is(lines.length, Number(head![2]), `${f.file}: entries`);
  }
});

for (const f of withData) {
  test(`${f.feed}: the refresh's reading on numbers gives the bigint reference's prefixes exactly`, (t) => {
    const { text } = realFeed(f.feed);
    const { outcome, content } = refreshRead(text);
    const ref = referenceRead(text);
    t.true(outcome.health.ok);
    t.is(outcome.stats.guardRejectedTotal, ref.touched.length, 'the lines the guard refuses, counted');
    t.deepEqual(contentPrefixes(content), ref.prefixes);
    // the layout's limits hold on real data
    t.true(content.v4Masked.length <= MASKED_MAX_LENGTHS);
    for (const m of content.v4Masked) t.true(m.nets.length >= MASKED_MIN_PREFIXES, `/${m.len}: ${m.nets.length}`);
    t.log(`${f.file}: ${dataLines(text).length} lines, ${content.v4Singles.length} singles, masked ${content.v4Masked.map((m) => `/${m.len}:${m.nets.length}`).join(' ')}, interval ${content.v4Nets.length}`);
  });
}

for (const f of withData.filter((x) => x.file.endsWith('.netset'))) {
  test(`${f.feed}: our prefixes are iprange's lines (the netset), less the lines the guard refuses`, (t) => {
    const { text } = realFeed(f.feed);
    const { outcome, content } = refreshRead(text);
    const ref = referenceRead(text);
    t.deepEqual(outcome.stats.carved, {}, 'nothing carved in these lists: refused lines are refused whole');
    t.deepEqual(contentPrefixes(content), [...ref.untouched].sort());
    // and a netset line is one prefix: nothing to cut
    for (const l of dataLines(text)) t.is(rangeToCidrs(parseEntry(l)).length, 1, l);
  });
}

test('firehol_level1: its bogon lines are refused by reason, and eight lengths take masked sets (the cap), the rare ones the interval set', (t) => {
  const { outcome, content } = refreshRead(realFeed('firehol_level1').text);
  t.deepEqual(outcome.stats.guardRejected, { unspecified: 1, private: 3, cgnat: 1, loopback: 1, link_local: 1, reserved: 2, too_broad: 1 });
  t.deepEqual(content.v4Masked.map((m) => m.len), [24, 23, 22, 21, 20, 19, 18, 16]);
  t.is(content.v4Masked.length, MASKED_MAX_LENGTHS, 'the cap is reached by a real list');
  // the rare lengths: /8–/15 (57 lines, less 6 bogons: 0/8, 10/8, 127/8, 100.64/10, 172.16/12,
  // 198.18/15), /17 (27), /25–/31 (114; /31 with 55 prefixes is below MASKED_MIN_PREFIXES too)
  t.is(content.v4Nets.length, 57 - 6 + 27 + 114);
  const rare = content.v4Nets.flatMap(rangeToCidrs);
  t.is(rare.length, content.v4Nets.length, 'the interval set holds prefixes, one element each');
  t.true(rare.every((c) => ![16, 18, 19, 20, 21, 22, 23, 24, 32].includes(c.prefixLen)));
});

test('spamhaus_drop: seven lengths of /16–/24 masked, /12–/18 rare in the interval set, no singles', (t) => {
  const { content } = refreshRead(realFeed('spamhaus_drop').text);
  t.deepEqual(content.v4Masked.map((m) => m.len), [24, 23, 22, 21, 20, 19, 16]);
  t.is(content.v4Singles.length, 0);
  t.is(content.v4Nets.flatMap(rangeToCidrs).length, 3 + 5 + 6 + 10 + 37);
});

test('an empty real list (feodo, 2018: a header and no entry) is refused as empty, not loaded as "nothing listed"', (t) => {
  const { outcome } = refreshRead(realFeed('feodo').text);
  t.false(outcome.health.ok);
  t.like(outcome.health, { reason: 'empty' });
});

const feed = { ...FeedSchema.parse({
  id: 'real', name: { ja: 'テスト', en: 'test' }, description: { ja: 'テスト', en: 'test' }, category: 'malware', urls: { v4: 'http://192.0.2.53/real.txt' },
  format: 'plain', direction: 'both', action: 'drop', minEntries: 1, refresh: '0 * * * *', enabledByDefault: true,
}), enabled: true } as unknown as ResolvedFeed;

/** One refresh of `feed` whose download is `name`'s file. */
function refreshWith(name: string, lastGoodUsable: number | null, reuse?: ParseReuse): Promise<RefreshOutcome> {
  const body = Buffer.from(realFeed(name).text);
  const sha256 = createHash('sha256').update(body).digest('hex');
  return refreshFeed({
    feed, limits: { fetchTimeoutSeconds: 5, maxBytes: 1 << 24 }, guard: buildGuard(), validators: {}, lastGoodUsable, reuse,
    fetch: () => Promise.resolve({ status: 'ok' as const, body, sha256, finalUrl: 'http://192.0.2.53/real.txt' }),
  });
}
const ranges = (o: RefreshOutcome): unknown => (o.kind === 'ok' ? { first: [...o.ranges.v4First], last: [...o.ranges.v4Last], usable: o.usable, stats: o.stats } : o);

test('DROP, then ET block at the same URL (a real near-duplicate, sorted, 8% changed in every part of it): read from its changed lines (a few at each parting: bodyDelta lineStep), with the outcome of a whole read', async (t) => {
  const reuse = new ParseReuse();
  const first = await refreshWith('spamhaus_drop', null, reuse);
  t.truthy(reuse.last, 'a clean list is kept for the next refresh');
  const usable = first.kind === 'ok' ? first.usable : null;
  const next = await refreshWith('et_block', usable, reuse);
  // until 2026-12-06 a change in every block was read whole: the walk stepped over one line
  // only, and two or three neighbours changed together left it to the block search
  t.true(next.kind === 'ok' && next.v4Delta !== undefined, 'read in part');
  t.deepEqual(ranges(next), ranges(await refreshWith('et_block', usable)));
  t.truthy(reuse.last, 'and kept for the next refresh');
});

test('FireHOL level1 is never read in part: its bogon lines are refused at every refresh, and a list with refused lines is read whole (their samples and counts are shown)', async (t) => {
  const reuse = new ParseReuse();
  const o = await refreshWith('firehol_level1', null, reuse);
  t.is(o.kind, 'ok');
  t.is(reuse.last, null);
});
