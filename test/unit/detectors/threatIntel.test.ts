import test from 'ava';
import type { Finding } from '../../../firmware/src/alerts/types.js';
import { ThreatIntelDetector, type Listing } from '../../../firmware/src/detectors/threatIntel.js';
import { ctx, DAY0, flow, MIN } from './helpers.js';

const feed = new Map<string, Listing>([
  ['198.51.100.66', { feedId: 'watch-c2', category: 'c2', action: 'watch', listedAt: DAY0 - 86_400_000 }],
  ['198.51.100.67', { feedId: 'block-c2', category: 'c2', action: 'block', listedAt: DAY0 + 10 * MIN }],
  ['198.51.100.68', { feedId: 'block-c2', category: 'malware', action: 'block', listedAt: DAY0 - 86_400_000 }],
]);
const make = () => new ThreatIntelDetector(ctx(), (ip) => feed.get(ip));
const attempt = (i: number, remoteIp = '198.51.100.68') =>
  ({ at: DAY0 + i * 30_000, deviceIp: '192.168.1.10', deviceMac: '02:00:00:00:00:0a', remoteIp, remotePort: 443, feedId: 'block-c2' });

test('an answered connection to a watch-only listing is a contact', (t) => {
  const f = make().onFlow(flow({ remoteIp: '198.51.100.66' }));
  t.is(f.length, 1);
  t.like(f[0], { kind: 'threat_contact', severity: 'danger', action: 'watched', evidence: { reason: 'watch_only' } });
});

test('a connection that began before the address was listed is a contact the block came too late for', (t) => {
  const f = make().onFlow(flow({ remoteIp: '198.51.100.67', start: DAY0, end: DAY0 + 20 * MIN }));
  t.like(f[0], { kind: 'threat_contact', action: 'blocked', evidence: { reason: 'listed_after_start' } });
});

test('unlisted traffic is ignored; one blocked attempt alone says nothing new', (t) => {
  const d = make();
  t.deepEqual(d.onFlow(flow({ remoteIp: '203.0.113.5' })), []);
  t.deepEqual(d.onBlocked(attempt(0)), []);
});

test('a device that keeps trying is reported, then escalated to danger', (t) => {
  const d = make();
  const found: Finding[] = [];
  for (let i = 0; i < 40; i++) found.push(...d.onBlocked(attempt(i)));
  t.is(found.length, 2);
  t.like(found[0], { kind: 'threat_repeat', severity: 'warning', action: 'blocked', count: 5 });
  t.like(found[1], { kind: 'threat_repeat', severity: 'danger', count: 30, evidence: { escalated: true } });
});

test('unanswered flows to a listed address count as attempts, not contacts', (t) => {
  const d = make();
  const found: Finding[] = [];
  for (let i = 0; i < 5; i++) found.push(...d.onFlow(flow({ remoteIp: '198.51.100.66', pktsIn: 0, start: DAY0 + i * 1000, end: DAY0 + i * 1000 + 500 })));
  t.is(found.length, 1);
  t.is(found[0]!.kind, 'threat_repeat');
});
