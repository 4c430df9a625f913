// An office PC really talks to an address a watch-only feed lists: the packet log raises a
// blocklist_hit (watched), and the flow end, looked up in the blocklist's hit index, raises a
// threat_contact with the feed and category in its evidence. Both are one incident.
import test from 'ava';
import { fastConntrack, waitIncident } from './helpers.js';
import { feedLab, refresh } from '../blocklist/helpers.js';

test('bridge: a connection to a watch-listed address is a threat contact, in one incident with the hit', async (t) => {
  const l = await feedLab(t);
  const feeds = l.config.feeds as { extra: Array<Record<string, unknown>> };
  feeds.extra[0]!.action = 'watch';
  feeds.extra[0]!.category = 'c2';
  const target = '203.0.113.41';
  l.writeFeed([target]);
  await l.serve();
  const utmd = await l.start();
  await fastConntrack(l.lab);
  t.like((await refresh(utmd))[0], { feedId: 'lab-c2' });
  t.is(await l.probe(target), 'connected', 'watch-only never drops');
  const host = l.lab.hosts[0]!;
  const inc = await waitIncident(utmd, host.v4, 'threat_contact', 30_000);
  const contact = inc.alerts.find((a) => a.kind === 'threat_contact')!;
  t.like(contact.evidence, { reason: 'watch_only', feedId: 'lab-c2', category: 'c2' });
  t.is(contact.action, 'watched');
  t.true(inc.alerts.some((a) => a.kind === 'blocklist_hit'), 'the packet-log hit is in the same incident');
});
