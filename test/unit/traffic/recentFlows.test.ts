// `utmctl flows`: the ring of judged flows, the traffic feature's `traffic.flows` handler (the
// name from a DNS answer beside the remote) and the technician's text, escaped.
import test from 'ava';
import { RecentFlows } from '../../../firmware/src/traffic/recentFlows.js';
import { TrafficFeature } from '../../../firmware/src/traffic/feature.js';
import { trafficRepos, type TrafficRepos } from '../../../firmware/src/traffic/view.js';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { ConfigSchema } from '../../../firmware/src/config/schema.js';
import { Conditions } from '../../../firmware/src/app/conditions.js';
import { CommandError } from '../../../firmware/src/control/protocol.js';
import { packageRoot } from '../../../firmware/src/sys/paths.js';
import { parseNfct } from '../../../firmware/src/sensors/nfct.js';
import { printFlows } from '../../../firmware/src/cli/flowsHuman.js';
import type { FeatureContext } from '../../../firmware/src/feature/contract.js';
import { datagram } from '../../bench/officeDay.js';
import { answerFor } from '../../helpers/dnsWire.js';
import { flow } from '../detectors/helpers.js';

const DAY0 = Date.UTC(2026, 10, 24, 15, 0, 0);
const PC = '10.1.1.5';

test('the ring keeps the newest flows, newest first, and filters by device', (t) => {
  const r = new RecentFlows(3);
  t.deepEqual(r.list(10), []);
  for (let i = 1; i <= 5; i++) r.push(flow({ ctId: i, deviceIp: i % 2 ? '10.0.0.1' : '10.0.0.2' }), i === 5 ? 'five.example' : undefined);
  t.deepEqual(r.list(10).map((f) => f.ctId), [5, 4, 3]);
  t.deepEqual(r.list(2).map((f) => f.ctId), [5, 4]);
  t.deepEqual(r.list(10, '10.0.0.1').map((f) => f.ctId), [5, 3]);
  t.is(r.list(1)[0]?.remoteName, 'five.example');
  t.false('remoteName' in r.list(2)[1]!);
  t.is(r.seen, 5);
  t.throws(() => new RecentFlows(0), { instanceOf: RangeError });
});

function feature(): TrafficFeature {
  const noop = (): void => undefined;
  const ctx = {
    stateDir: '/nonexistent', config: ConfigSchema.parse({ traffic: { dnsNames: { capture: false } } }), provisioning: null,
    base: { logPrefix: 'utm', tableName: 'utm' }, now: () => DAY0, repos: trafficRepos(openDb(':memory:', everyMigration), () => DAY0), ruleset: null, conditions: new Conditions(() => DAY0), deviceId: 't',
    log: { info: noop, warn: noop, error: noop },
    plan: () => ({ lanPrefixes: ['10.1.0.0/16'], boxAddresses: ['10.1.0.1'], ifaces: { wan: 'eth0', lan: ['eth1'] } }),
    raise: noop, requestApply: async () => false,
  } as unknown as FeatureContext<TrafficRepos>;
  const f = new TrafficFeature({ root: packageRoot() });
  f.init(ctx);
  return f;
}

test('traffic.flows shows what the sensors delivered, oriented to the office device and named', (t) => {
  const f = feature();
  f.onDnsAnswer(answerFor('c2.example', ['203.0.113.201']), PC, DAY0 - 1000);
  for (const [dst, dport] of [['203.0.113.201', 443], ['203.0.113.9', 25]] as const) {
    const r = parseNfct(datagram({ dev: 4, dst, dport, proto: 6, start: DAY0, end: DAY0 + 800, ob: 400, op: 6, rb: 500, rp: 5 }, PC), DAY0);
    if (!r.ok) throw new Error(r.reason);
    f.onFlow(r.event);
  }
  const flows = f.handlers()['traffic.flows']!;
  const out = flows({ device: PC }) as { flows: Array<Record<string, unknown>>; seen: number };
  t.is(out.seen, 2);
  t.like(out.flows[0], { deviceIp: PC, remoteIp: '203.0.113.9', remotePort: 25, direction: 'outbound', event: 'end' });
  t.like(out.flows[1], { remoteIp: '203.0.113.201', remotePort: 443, bytesOut: 400, bytesIn: 500, remoteName: 'c2.example' });
  t.deepEqual((flows({ device: '10.1.1.6' }) as { flows: unknown[] }).flows, []);
  t.is((flows({ limit: 1 }) as { flows: unknown[] }).flows.length, 1);
  t.throws(() => flows({ device: 'nope' }), { instanceOf: CommandError });
  t.throws(() => flows({ limit: 0 }), { instanceOf: CommandError });
});

test('utmctl flows prints one line per connection, escaping what came from the network', (t) => {
  let s = '';
  printFlows({ flows: [
    { ...flow({ end: Date.UTC(2026, 10, 26, 9, 0, 0), deviceIp: '10.1.1.5', devicePort: 50000, remoteIp: '2001:db8::1', remotePort: 443 }), remoteName: 'evil\u001b[2J.example' },
  ], seen: 4 }, (x) => { s += x; });
  t.true(s.startsWith('2026-11-26 09:00:00 end    tcp  10.1.1.5:50000 -> [2001:db8::1]:443 (evil\\x1b[2J.example)  sent 1000 B received 4000 B  outbound\n'), s);
  t.false(s.includes('\u001b'));
  t.true(s.includes('(1 shown of 4'));
  let empty = '';
  printFlows({ flows: [], seen: 0 }, (x) => { empty += x; });
  t.is(empty, 'no connections seen yet\n');
});
