// A watch-only feed lets traffic through and still raises an alert with the feed's category.
import test from 'ava';
import { waitFor } from '../../lab/poll.js';
import { feedLab, refresh } from './helpers.js';

test('watch-only feed: the connection passes and the alert names the category', async (t) => {
  const l = await feedLab(t);
  const feeds = l.config.feeds as { extra: Array<Record<string, unknown>> };
  feeds.extra[0]!.action = 'watch';
  feeds.extra[0]!.category = 'scanner';
  const target = '203.0.113.40';
  l.writeFeed([target]);
  await l.serve();
  const utmd = await l.start();
  t.like((await refresh(utmd))[0], { feedId: 'lab-c2' });
  const st = JSON.parse((await utmd.ctl(['blocklist', 'status', '--json'])).stdout) as { groups: Array<{ id: string; v4Singles: number }> };
  t.like(st.groups.find((g) => g.id === 'fbothwatch'), { v4Singles: 1 });
  t.is(await l.probe(target), 'connected', 'watch-only never drops');
  const hit = await waitFor(async () => {
    t.is(await l.probe(target), 'connected');
    const alerts = JSON.parse((await utmd.ctl(['alerts', '--json'])).stdout) as Array<{ kind: string; remote: { ip: string } | null; params: Record<string, unknown> }>;
    return alerts.find((a) => a.kind === 'blocklist_hit' && a.remote?.ip === target);
  }, { what: 'a watch-only blocklist_hit alert', timeoutMs: 20_000, intervalMs: 500 });
  t.like(hit.params, { category: 'scanner', action: 'watched' });
});
