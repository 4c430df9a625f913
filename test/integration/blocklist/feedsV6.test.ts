// An IPv6 feed end to end with the real utmd in the lab (the box's cables swapped: the office
// router in eth1): its one URL served over IPv6, ~1,600 lines of singles, prefixes of common
// and rare lengths and an unaligned range. A 1% change then goes in by difference (for a feed
// of one URL: its changed lines read, the group's content patched, as the unit tests check;
// here, what shows outside: the kernel's sets, and a delta saved beside the last-good base),
// and a restart with the feed server gone restores it from base + delta. At every step the kernel's
// IPv6 sets, read back whole, hold exactly the bigint reference's prefixes, and a LAN host's
// connections show it: a newly listed address is dropped, a delisted one passes.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../lab/run.js';
import { feedLab, refresh } from './helpers.js';
import { formatAddress, parseEntry, rangeToCidrs, type IpRange } from '../../../firmware/src/net/ip.js';
import { mergeRanges } from '../../../firmware/src/net/rangeMerge.js';

const hex = (n: number): string => n.toString(16);
/** 1,500 singles in 2001:db8:66::/64 (every address there answers on 443). */
const SINGLES = Array.from({ length: 1500 }, (_, i) => `2001:db8:66::${hex(Math.floor(i / 16) + 1)}:${hex((i % 16) * 7 + 1)}`);
/** /120s (a common length: masked hash set), every other block. */
const P120 = Array.from({ length: 60 }, (_, i) => `2001:db8:66::2:${hex(i * 0x200)}/120`);
/** /64s elsewhere in the documentation range. */
const P64 = Array.from({ length: 40 }, (_, i) => `2001:db8:7000:${hex(2 * i)}::/64`);
/** A rare length (interval set) and an unaligned range (cut into prefixes). */
const RARE = ['2001:db8:7100:100::/56', '2001:db8:7100:300::/56', '2001:db8:7200::5-2001:db8:7200::1234'];

const DROPPED = SINGLES[700]!; // delisted by the update
const ADDED = '2001:db8:66::ffff:1'; // listed by the update
const KEPT = SINGLES[716]!; // the first kept after the 16 removed

/** Every prefix of the merged list, as text, sorted. */
function cidrs(ranges: IpRange[]): string[] {
  return mergeRanges([ranges])[6].flatMap(rangeToCidrs).map((c) => `${formatAddress(6, c.first)}/${c.prefixLen}`).sort();
}

type NftElem = string | { prefix: { addr: string; len: number } } | { range: [string, string] };
type NftList = { nftables: Array<{ set?: { name: string; elem?: NftElem[] } }> };

test('an IPv6 feed loads, takes a 1% update saved as a delta, and comes back from base + delta after a restart: the kernel holds exactly the list', async (t) => {
  const l = await feedLab(t, { family: 6, format: 'range', lab: { swapBoxPorts: true } });
  /** The box's IPv6 blocklist elements (every set of the group), as merged prefixes. */
  const kernel = async (): Promise<string[]> => {
    const out = JSON.parse(await run(['ip', 'netns', 'exec', l.lab.ns.box, '/usr/sbin/nft', '-j', 'list', 'table', 'inet', 'utm'])) as NftList;
    const sets = out.nftables.flatMap((o) => (o.set && /^bl_.+_v6(n|_p\d+)?$/.test(o.set.name) ? [o.set] : []));
    t.true(sets.length >= 3, `the group's IPv6 sets: ${sets.map((s) => s.name).join(', ')}`);
    const ranges = sets.flatMap((s) => {
      const len = /_p(\d+)$/.exec(s.name)?.[1];
      return (s.elem ?? []).map((e): IpRange => {
        if (typeof e === 'string') return parseEntry(len ? `${e}/${len}` : e);
        if ('prefix' in e) return parseEntry(`${e.prefix.addr}/${e.prefix.len}`);
        return parseEntry(`${e.range[0]}-${e.range[1]}`);
      });
    });
    return cidrs(ranges);
  };
  const expected = (lines: string[]): string[] => cidrs(lines.map((x) => parseEntry(x)));

  const v1 = [...SINGLES, ...P120, ...P64, ...RARE];
  l.writeFeed(v1);
  const server = await l.serve();
  let utmd = await l.start();
  // utmd's first refresh at start may already have loaded it
  t.true(['loaded', 'unchanged'].includes((await refresh(utmd))[0]!.result));
  t.deepEqual(await kernel(), expected(v1), 'the full load');
  await l.until(DROPPED, 'timeout', 'a listed address is dropped');

  // 1%: 16 singles leave (DROPPED among them), 16 come (ADDED among them), a /120 moves, the range ends elsewhere
  const v2 = [
    ...SINGLES.filter((_, i) => i < 700 || i >= 716), ...Array.from({ length: 15 }, (_, i) => `2001:db8:66::fff0:${hex(i + 1)}`), ADDED,
    ...P120.filter((_, i) => i !== 30), '2001:db8:66::2:7f00/120', ...P64, RARE[0]!, RARE[1]!, '2001:db8:7200::5-2001:db8:7200::2234',
  ];
  l.writeFeed(v2);
  t.like((await refresh(utmd))[0], { result: 'loaded' });
  t.deepEqual(await kernel(), expected(v2), 'the 1% update');
  await l.until(DROPPED, 'connected', 'a delisted address passes');
  await l.until(ADDED, 'timeout', 'a newly listed address is dropped');
  t.is(await l.probe(KEPT), 'timeout', 'the rest is still listed');
  // the update was saved as a change against the last-good base (format 2: IPv6 by difference)
  const delta = JSON.parse(readFileSync(join(utmd.stateDir, 'blocklist', 'feeds', 'lab-c2.delta'), 'utf8')) as { version: number; v6Del: string[]; v6Add: string[] };
  t.is(delta.version, 2);
  t.true(delta.v6Del.length > 0 && delta.v6Del.length <= 20, `v6Del ${delta.v6Del.length}`);
  t.true(delta.v6Add.length > 0 && delta.v6Add.length <= 20, `v6Add ${delta.v6Add.length}`);

  // restart with the feed server gone and the table deleted: base + delta, before any download
  await server.stop();
  await utmd.stop();
  await run(['ip', 'netns', 'exec', l.lab.ns.box, '/usr/sbin/nft', 'delete', 'table', 'inet', 'utm']);
  utmd = await l.start();
  await l.until(ADDED, 'timeout', 'last-good (base + delta) restored at start');
  t.deepEqual(await kernel(), expected(v2), 'the restart');
  t.is(await l.probe(DROPPED), 'connected');
});
