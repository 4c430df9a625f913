// Cold start: the first flow of an office PC the box has never heard of (no DHCP, never in
// the neighbour table, utmd just started) is judged with the PC's MAC, because a flow whose
// device has no MAC yet waits for one fresh read of the kernel's tables. The threat-contact
// alert (a flow alert) therefore names the MAC and joins the device's incident.
import test from 'ava';
import { fastConntrack, waitIncident } from './helpers.js';
import { feedLab, refresh } from '../blocklist/helpers.js';

test('bridge: the first flow after a start names the device by MAC', async (t) => {
  const l = await feedLab(t);
  const feeds = l.config.feeds as { extra: Array<Record<string, unknown>> };
  feeds.extra[0]!.action = 'watch';
  const target = '203.0.113.42';
  l.writeFeed([target]);
  await l.serve();
  const utmd = await l.start();
  await fastConntrack(l.lab);
  t.like((await refresh(utmd))[0], { feedId: 'lab-c2' });
  const host = l.lab.hosts[0]!;
  t.is(await l.probe(target), 'connected');
  const inc = await waitIncident(utmd, host.v4, 'threat_contact', 40_000);
  const contact = inc.alerts.find((a) => a.kind === 'threat_contact')!;
  t.is(contact.device.mac, host.mac, 'the flow alert names the MAC');
  t.is(inc.device.mac, host.mac, 'and so does its incident');
});
