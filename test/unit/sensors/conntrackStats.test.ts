import test from 'ava';
import { readFileSync } from 'node:fs';
import { conntrackLossTotal, ConntrackStatsError, parseConntrackStats, readConntrackStats } from '../../../firmware/src/sensors/conntrackStats.js';

test('real `conntrack -S` output (2 CPUs) parses', (t) => {
  const s = parseConntrackStats(readFileSync(new URL('../../fixtures/ulogd/conntrack-S.txt', import.meta.url), 'utf8'));
  t.is(s.cpus.length, 2);
  t.is(s.totals.insert_failed, 0);
  t.is(s.cpus[1]?.counters.chaintoolong, 0);
});

test('counters are summed over CPUs; loss total adds drop, early_drop, insert_failed, error', (t) => {
  const s = parseConntrackStats([
    'cpu=0   \tfound=1 invalid=2 insert=0 insert_failed=3 drop=4 early_drop=5 error=6 search_restart=7',
    'cpu=1   \tfound=10 invalid=20 insert=0 insert_failed=30 drop=40 early_drop=50 error=60 search_restart=70',
  ].join('\n'));
  t.is(s.totals.found, 11);
  t.is(s.totals.drop, 44);
  t.is(conntrackLossTotal(s), 3 + 4 + 5 + 6 + 30 + 40 + 50 + 60);
});

test('junk tokens are ignored, output without cpu lines is refused', (t) => {
  const s = parseConntrackStats('cpu=0 found=1 bogus drop=x drop=2 =3\n');
  t.deepEqual(s.totals, { found: 1, drop: 2 });
  t.throws(() => parseConntrackStats('conntrack v1.4.7: operation failed\n'), { instanceOf: ConntrackStatsError });
});

test('adapter runs conntrack -S behind the given prefix', async (t) => {
  const seen: (readonly string[])[] = [];
  const s = await readConntrackStats(async (argv) => {
    seen.push(argv);
    return { stdout: 'cpu=0 drop=7\n', stderr: '', code: 0 };
  }, ['ip', 'netns', 'exec', 'box']);
  t.deepEqual(seen, [['ip', 'netns', 'exec', 'box', '/usr/sbin/conntrack', '-S']]);
  t.is(s.totals.drop, 7);
});
