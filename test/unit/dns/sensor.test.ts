import test from 'ava';
import { DnsNames } from '../../../firmware/src/dns/sensor.js';
import { DetectorSet } from '../../../firmware/src/detectors/index.js';
import { makeIsLan } from '../../../firmware/src/net/cidrSet.js';
import { answerFor, encodeDns } from '../../helpers/dnsWire.js';
import { DAY0, periodic, thresholds } from '../detectors/helpers.js';

const isLan = makeIsLan(['192.168.1.0/24']);
const BOX = '192.168.1.1';

function names(o: { trusted?: string[]; clock?: { t: number } } = {}): DnsNames {
  const clock = o.clock ?? { t: DAY0 };
  return new DnsNames({ isLan, boxAddresses: () => [BOX], trustedServers: o.trusted ?? [], cap: 1000, now: () => clock.t });
}

test('answers to office devices from the box or an office address name addresses', (t) => {
  const n = names();
  t.is(n.onAnswer(answerFor('c2.example', ['198.51.100.66']), '192.168.1.10', DAY0, BOX), 1);
  t.is(n.onAnswer(answerFor('dc.example', ['198.51.100.67']), '192.168.1.10', DAY0, '192.168.1.5'), 1);
  t.is(n.nameOf('198.51.100.66'), 'c2.example');
  t.is(n.nameOf('198.51.100.67'), 'dc.example');
  t.like(n.status(), { frames: 2, answers: 2, addresses: 2, names: 2 });
});

test('answers to outside addresses, and from untrusted servers, are counted and ignored', (t) => {
  const n = names({ trusted: ['192.0.2.53'] });
  // Malware asking its own server for an allowlisted name gets no name for its address.
  n.onAnswer(answerFor('client.wns.notify.windows.com', ['198.51.100.66']), '192.168.1.10', DAY0, '198.51.100.53');
  n.onAnswer(answerFor('x.example', ['198.51.100.68']), '203.0.113.9', DAY0, BOX);
  t.is(n.nameOf('198.51.100.66'), undefined);
  t.is(n.nameOf('198.51.100.68'), undefined);
  t.is(n.onAnswer(answerFor('ok.example', ['198.51.100.69']), '192.168.1.10', DAY0, '192.0.2.53'), 1);
  t.deepEqual(n.status().ignored, { untrusted_server: 1, not_lan_client: 1 });
});

test('refused answers are counted by reason', (t) => {
  const n = names();
  n.onAnswer(encodeDns({ rcode: 3, question: { name: 'nx.example' } }), '192.168.1.10', DAY0, BOX);
  n.onAnswer(encodeDns({ qr: false, question: { name: 'q.example' } }), '192.168.1.10', DAY0, BOX);
  n.onAnswer(Uint8Array.from([1, 2, 3]), '192.168.1.10', DAY0, BOX);
  t.deepEqual(n.status().errors, { rcode: 1, not_response: 1, truncated: 1 });
  t.is(n.status().answers, 0);
});

// The allowlist-by-name effect: the shipped push-notifications entry names notify.windows.com.
const PUSH = '203.0.113.200';
const series = () => periodic({ every: 300_000, jitter: 2000, hours: 12, over: { remoteIp: PUSH, remotePort: 443 } });

test('a perfectly periodic series to an address named *.notify.windows.com through the cache is no beacon', (t) => {
  const clock = { t: DAY0 };
  const n = names({ clock });
  n.onAnswer(answerFor('client.wns.notify.windows.com', [PUSH], { ttl: 300 }), '192.168.1.10', DAY0, BOX);
  const set = new DetectorSet({ thresholds: thresholds(), listed: () => undefined, nameOf: (ip) => n.nameOf(ip) });
  const found = [];
  for (const f of series()) {
    // The client looks the name up again every hour, as resolvers' short TTLs make it do.
    if (f.start - clock.t > 3_600_000) { clock.t = f.start; n.onAnswer(answerFor('client.wns.notify.windows.com', [PUSH], { ttl: 300 }), '192.168.1.10', f.start, BOX); }
    clock.t = Math.max(clock.t, f.end);
    found.push(...set.onFlow(f));
  }
  t.deepEqual(found.filter((f) => f.kind === 'beacon'), []);
});

test('the same series with no name is a beacon, and its evidence names a known remote', (t) => {
  const plain = new DetectorSet({ thresholds: thresholds(), listed: () => undefined });
  t.true(series().flatMap((f) => plain.onFlow(f)).some((f) => f.kind === 'beacon'));

  // Named, but not allowlisted: the finding carries the name for the technician and the message.
  const n = names({ clock: { t: DAY0 } });
  n.onAnswer(answerFor('c2.example', [PUSH], { cnames: ['edge.example'] }), '192.168.1.10', DAY0, BOX);
  const set = new DetectorSet({ thresholds: thresholds(), listed: () => undefined, nameOf: (ip) => n.nameOf(ip) });
  const beacon = series().flatMap((f) => set.onFlow(f)).find((f) => f.kind === 'beacon');
  t.truthy(beacon);
  t.is(beacon!.evidence['remoteName'], 'c2.example');
  t.is(beacon!.params['remoteName'], 'c2.example');
});
