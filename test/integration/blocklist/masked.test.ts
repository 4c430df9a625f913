// The masked layout end to end (issue 14): a feed whose /24 prefixes are common enough for a
// hash set of their own (looked up with a netmask) drops the office's connections to any
// address of a listed /24 and lets the rest pass; when the feed no longer lists enough /24s,
// they move to the interval set (the masked set deleted, the lookup chains rewritten, in one
// transaction) and the same addresses are still dropped; a /24 that leaves the feed passes.
import test from 'ava';
import { feedLab, refresh } from './helpers.js';
import { MASKED_MIN_PREFIXES } from '../../../firmware/src/blocklist/prefixSets.js';

const LISTED = '203.0.113.0/24';
const INSIDE = '203.0.113.77';
const OUTSIDE = '198.51.100.20';
/** /24s outside the lab's internet, every other one (never merged into a shorter prefix). */
const others = (n: number): string[] => Array.from({ length: n }, (_, i) => `45.${Math.floor(i / 128)}.${(i % 128) * 2}.0/24`);

test('a listed /24 in a masked hash set drops the whole prefix; moving to the interval set and out of the feed', async (t) => {
  const l = await feedLab(t);
  l.writeFeed(['198.51.100.99']);
  await l.serve();
  const utmd = await l.start();
  t.is(await l.probe(INSIDE), 'connected', 'not listed yet');

  l.writeFeed([LISTED, ...others(MASKED_MIN_PREFIXES)]);
  t.like((await refresh(utmd))[0], { result: 'loaded' });
  const st = JSON.parse((await utmd.ctl(['blocklist', 'status', '--json'])).stdout) as { groups: Array<{ maskedLengths: { v4: number[] } }> };
  t.deepEqual(st.groups[0]!.maskedLengths.v4, [24], 'the /24s have a hash set of their own');
  await l.until(INSIDE, 'timeout', `${INSIDE} (inside ${LISTED}) dropped`);
  t.is(await l.probe(OUTSIDE), 'connected', 'an address outside every listed prefix passes');

  // too few /24s for their own set: they move to the interval set, still enforced
  l.writeFeed([LISTED, ...others(MASKED_MIN_PREFIXES - 10)]);
  t.like((await refresh(utmd))[0], { result: 'loaded' });
  const st2 = JSON.parse((await utmd.ctl(['blocklist', 'status', '--json'])).stdout) as { groups: Array<{ maskedLengths: { v4: number[] }; v4Nets: number }> };
  t.deepEqual(st2.groups[0]!.maskedLengths.v4, []);
  t.is(st2.groups[0]!.v4Nets, MASKED_MIN_PREFIXES - 9);
  t.is(await l.probe(INSIDE), 'timeout', 'still dropped from the interval set');

  // back to a masked set, then the listed /24 leaves the feed: it passes again
  l.writeFeed([LISTED, ...others(MASKED_MIN_PREFIXES + 5)]);
  t.like((await refresh(utmd))[0], { result: 'loaded' });
  t.is(await l.probe(INSIDE), 'timeout');
  l.writeFeed(others(MASKED_MIN_PREFIXES + 5));
  t.like((await refresh(utmd))[0], { result: 'loaded' });
  await l.until(INSIDE, 'connected', `${INSIDE} passes once ${LISTED} left the feed`);
});
