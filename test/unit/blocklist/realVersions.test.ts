// Four consecutive hourly versions of a real public list (test/fixtures/feeds/versions, see
// SOURCES.md there: ipsum level 1, ~4,350 addresses, ~8% of them replaced each hour), read as a
// box's refreshes read them: the first one whole, each next one from the lines that changed
// since the one before (lastParse.ts: bodyDelta, the changed lines, the patch). Each must give
// exactly what a whole read of the same version gives. Twice: in the order the list is
// published (by how many lists name an address: the changes reorder lines all over), and in
// address order (as iprange-style lists are published: the changes scattered in place, where
// the walk's line step works). Measured against the real world: the edits are the list's own.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { buildGuard } from '../../../firmware/src/blocklist/guard.js';
import { ParseReuse } from '../../../firmware/src/blocklist/lastParse.js';
import { refreshFeed, type RefreshOutcome } from '../../../firmware/src/blocklist/refresh.js';
import type { ResolvedFeed } from '../../../firmware/src/config/feedCatalog.js';

const DIR = new URL('../../fixtures/feeds/versions/', import.meta.url);
const VERSIONS = ['a7c7f91b', 'b36fa618', '57c879a4', '74a64dd1'].map((c) => readFileSync(new URL(`ipsum-level1.${c}.txt`, DIR)));

const FEED = {
  id: 'ipsum', urls: { v4: 'http://192.0.2.80/levels/1.txt' }, format: 'plain', allowHostBits: false,
  minEntries: 1, maxShrinkRatio: 0.5, maxRejectRatio: 0.1, maxBytes: 1 << 20,
} as unknown as ResolvedFeed;

const guard = buildGuard({});

function read(body: Buffer, reuse: ParseReuse | undefined, lastGood: number | null): Promise<RefreshOutcome> {
  return refreshFeed({
    feed: FEED, limits: { fetchTimeoutSeconds: 10, maxBytes: 1 << 20 }, guard, validators: {}, lastGoodUsable: lastGood, reuse,
    fetch: () => Promise.resolve({ status: 'ok', body, finalUrl: FEED.urls.v4 ?? '', peers: [] }),
  });
}

/** The list's lines in address order (a header line first, as such lists have). */
function inAddressOrder(body: Buffer): Buffer {
  const key = (l: string): number => l.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const lines = body.toString('latin1').split('\n').filter((l) => /^\d/.test(l));
  return Buffer.from(`# in address order\n${lines.sort((a, b) => key(a) - key(b)).join('\n')}\n`, 'latin1');
}

for (const [order, bodies] of [['as published', VERSIONS], ['in address order', VERSIONS.map(inAddressOrder)]] as const) {
  test(`four real hourly versions ${order}: each read from its changed lines equals its whole read`, async (t) => {
    const reuse = new ParseReuse();
    let lastGood: number | null = null;
    const patched: boolean[] = [];
    for (const [i, body] of bodies.entries()) {
      const part = await read(body, reuse, lastGood);
      const whole = await read(body, undefined, null);
      if (part.kind !== 'ok' || whole.kind !== 'ok') return t.fail(`version ${i}: ${part.kind}, ${whole.kind}`);
      t.deepEqual(part.ranges.v4First, whole.ranges.v4First, `version ${i}`);
      t.deepEqual(part.ranges.v4Last, whole.ranges.v4Last, `version ${i}`);
      t.is(part.usable, whole.usable, `version ${i}`);
      t.is(part.stats.dataLines, whole.stats.dataLines, `version ${i}`);
      t.true(whole.usable > 4000, `version ${i}: ${whole.usable}`);
      if (i > 0) patched.push(part.v4Delta !== undefined);
      lastGood = part.usable;
    }
    // in address order every hour's change is read in part (~680 of ~4,350 lines); as published
    // (reordered all over) the walk may give up and read the whole body: both give the same
    t.log(`read in part: ${patched.join(', ')}`);
    if (order === 'in address order') t.deepEqual(patched, [true, true, true]);
  });
}
