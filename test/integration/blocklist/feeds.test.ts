// Feeds end to end with the real utmd in the lab: a listed address is dropped after one
// refresh and passes again after the next; a dead feed server keeps last-good enforced; a
// feed listing private space or the office prefix blocks no office traffic; a restart
// enforces last-good before any download.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../lab/run.js';
import { waitFor } from '../../lab/poll.js';
import { feedLab, refresh } from './helpers.js';

const BAD = '203.0.113.10';
const OTHER = '203.0.113.20';

test('feed refresh adds and removes, last-good survives a dead server and a restart, office is never blocked', async (t) => {
  const l = await feedLab(t);
  l.writeFeed(['198.51.100.99']);
  const server = await l.serve();
  let utmd = await l.start();
  t.is(await l.probe(BAD), 'connected', 'not listed yet');

  // 1. listed → dropped after one refresh
  l.writeFeed(['198.51.100.99', BAD]);
  t.like((await refresh(utmd))[0], { feedId: 'lab-c2', result: 'loaded' });
  await l.until(BAD, 'timeout', `${BAD} dropped after the refresh`);
  t.is(await l.probe(OTHER), 'connected', 'other addresses still pass');
  // the drop reaches the alert pipeline with the feed's category
  const hit = await waitFor(async () => {
    const alerts = JSON.parse((await utmd.ctl(['alerts', '--json'])).stdout) as Array<{ kind: string; remote: { ip: string } | null; params: Record<string, unknown> }>;
    return alerts.find((a) => a.kind === 'blocklist_hit' && a.remote?.ip === BAD);
  }, { what: 'a blocklist_hit alert for the feed entry', timeoutMs: 20_000, intervalMs: 300 });
  t.like(hit.params, { category: 'c2', action: 'blocked' });

  // 2. unlisted → passes after the next refresh
  l.writeFeed(['198.51.100.99', '198.51.100.98']);
  t.like((await refresh(utmd))[0], { result: 'loaded' });
  await l.until(BAD, 'connected', `${BAD} passes again`);

  // 3. a feed that lists private space and the office prefix: those lines are refused, the rest loads
  const lan = l.lab.plan.lanPrefix.v4;
  l.writeFeed(['198.51.100.99', '198.51.100.98', BAD, '10.0.0.0/8', lan, '192.168.0.0/16', l.lab.hosts[0]!.v4]);
  t.like((await refresh(utmd))[0], { result: 'loaded' });
  await l.until(BAD, 'timeout', 'the good part of the feed loaded');
  t.is(await l.probe(OTHER), 'connected', 'office traffic to the internet still flows');
  const st = JSON.parse((await utmd.ctl(['blocklist', 'status', '--json'])).stdout) as { feeds: Array<{ rejected: Record<string, number> }> };
  t.true((st.feeds[0]!.rejected.private ?? 0) >= 1, 'private space counted as rejected');
  t.true((st.feeds[0]!.rejected.lan ?? 0) + (st.feeds[0]!.rejected.allowlist ?? 0) >= 1, 'office prefix counted as rejected');

  // 4. feed server down: the refresh is a fault and last-good stays enforced
  await server.stop();
  t.like((await refresh(utmd))[0], { result: 'fault' });
  t.is(await l.probe(BAD), 'timeout', 'last-good still enforced');
  const cond = (JSON.parse((await utmd.ctl(['status', '--json'])).stdout) as { conditions: Array<{ id: string; ok: boolean }> }).conditions;
  t.like(cond.find((c) => c.id === 'feed:lab-c2'), { ok: false });
  const alerts = JSON.parse((await utmd.ctl(['alerts', '--json'])).stdout) as Array<{ kind: string; params: Record<string, unknown> }>;
  t.like(alerts.find((a) => a.kind === 'feed_fault'), { params: { feedId: 'lab-c2', reason: 'network' } });

  // 5. restart with the server still down and our table gone from the kernel: the first
  //    apply already holds last-good (no download can have succeeded)
  await utmd.stop();
  await run(['ip', 'netns', 'exec', l.lab.ns.box, '/usr/sbin/nft', 'delete', 'table', 'inet', 'utm']);
  t.is(await l.probe(BAD), 'connected', 'nothing enforced while utmd is down and the table is gone');
  utmd = await l.start();
  await l.until(BAD, 'timeout', 'last-good restored at start');
  t.is(await l.probe(OTHER), 'connected');

  // 6. the technician turns the feed off: its entries leave the kernel, the choice is kept in the state dir
  const off = await utmd.ctl(['blocklist', 'disable', 'lab-c2', '--json']);
  t.is(off.code, 0, off.stderr);
  await l.until(BAD, 'connected', 'feed turned off');
  const tech = JSON.parse(readFileSync(join(utmd.stateDir, 'blocklist', 'technician.json'), 'utf8')) as { settings: Record<string, { enabled?: boolean }> };
  t.false(tech.settings['lab-c2']?.enabled);
});
