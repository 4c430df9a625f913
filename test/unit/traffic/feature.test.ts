// TrafficFeature's DNS wiring with plain data: answers through onDnsAnswer name addresses for
// the allowlist and the evidence; status and `traffic.names` show what was learned.
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { trafficRepos, type TrafficRepos } from '../../../firmware/src/traffic/view.js';
import test from 'ava';
import { TrafficFeature } from '../../../firmware/src/traffic/feature.js';
import { ConfigSchema } from '../../../firmware/src/config/schema.js';
import { Conditions } from '../../../firmware/src/app/conditions.js';
import { CommandError } from '../../../firmware/src/control/protocol.js';
import { packageRoot } from '../../../firmware/src/sys/paths.js';
import type { FeatureContext } from '../../../firmware/src/feature/contract.js';
import type { Finding } from '../../../firmware/src/alerts/types.js';
import { datagram } from '../../bench/officeDay.js';
import { parseNfct } from '../../../firmware/src/sensors/nfct.js';
import { answerFor } from '../../helpers/dnsWire.js';

const DAY0 = Date.UTC(2026, 10, 24, 15, 0, 0);
const BOX = '10.1.0.1';
const PC = '10.1.1.5';

function feature(dnsNames: Record<string, unknown> = {}) {
  const raised: Finding[] = [];
  const noop = (): void => undefined;
  const ctx = {
    stateDir: '/nonexistent', config: ConfigSchema.parse({ traffic: { dnsNames: { capture: false, ...dnsNames } } }), provisioning: null,
    base: { logPrefix: 'utm', tableName: 'utm' }, now: () => DAY0, repos: trafficRepos(openDb(':memory:', everyMigration), () => DAY0), ruleset: null, conditions: new Conditions(() => DAY0), deviceId: 't',
    log: { info: noop, warn: noop, error: noop },
    plan: () => ({ lanPrefixes: ['10.1.0.0/16'], boxAddresses: [BOX], ifaces: { wan: 'eth0', lan: ['eth1'] } }),
    raise: (f: Finding) => raised.push(f), requestApply: async () => false,
  } as unknown as FeatureContext<TrafficRepos>;
  const f = new TrafficFeature({ root: packageRoot() });
  f.init(ctx);
  return { f, raised };
}

/** A check-in every 5 minutes for 12 hours from the PC to `dst`, as flow-end datagrams. */
function checkIns(f: TrafficFeature, dst: string, from = DAY0): void {
  for (let t = from; t < from + 12 * 3_600_000; t += 300_000) {
    const r = parseNfct(datagram({ dev: 4, dst, dport: 443, proto: 6, start: t, end: t + 800, ob: 400, op: 6, rb: 500, rp: 5 }, PC), t);
    if (!r.ok) throw new Error(`the bench datagram does not parse: ${r.reason}`);
    f.onFlow(r.event);
  }
}

test('an address the PC looked up as *.notify.windows.com is allowlisted; a named controller is named in the finding', (t) => {
  const { f, raised } = feature();
  f.onDnsAnswer(answerFor('client.wns.notify.windows.com', ['203.0.113.200'], { ttl: 60 }), PC, DAY0 - 1000, BOX);
  checkIns(f, '203.0.113.200');
  t.deepEqual(raised.filter((x) => x.kind === 'beacon'), []);
  // Later that day: the malware looks its controller up, then checks in (its answers are
  // seen again every hour: the name outlives the 3-hour hold only while lookups continue).
  const later = DAY0 + 12 * 3_600_000;
  for (let h = 0; h < 12; h++) f.onDnsAnswer(answerFor('cdn-sync.example.net', ['198.51.100.66'], { ttl: 60 }), PC, later + h * 3_600_000 - 1000, BOX);
  checkIns(f, '198.51.100.66', later);
  const beacon = raised.find((x) => x.kind === 'beacon');
  t.is(beacon?.remote?.ip, '198.51.100.66');
  t.is(beacon?.evidence['remoteName'], 'cdn-sync.example.net');
  t.is(beacon?.params['remoteName'], 'cdn-sync.example.net');
});

test('without the answer (or from an untrusted server) the same check-ins are a beacon', (t) => {
  const { f, raised } = feature();
  f.onDnsAnswer(answerFor('client.wns.notify.windows.com', ['203.0.113.200']), PC, DAY0 - 1000, '198.51.100.53');
  checkIns(f, '203.0.113.200');
  const beacon = raised.find((x) => x.kind === 'beacon');
  t.truthy(beacon);
  t.false('remoteName' in beacon!.evidence);
});

test('status and traffic.names show what was learned; bad arguments are refused', (t) => {
  const { f } = feature({ trustedServers: ['192.0.2.53'] });
  f.onDnsAnswer(answerFor('www.example.com', ['192.0.2.80', '2001:db8:c0::80'], { cnames: ['edge.example.net'] }), PC, DAY0, '192.0.2.53');
  f.onDnsAnswer(Uint8Array.from([0, 1, 2]), PC, DAY0, BOX);
  f.onDnsAnswer(answerFor('x.example', ['192.0.2.81']), '198.51.100.7', DAY0, BOX);
  const dns = f.status()['dns'] as Record<string, unknown>;
  t.like(dns, { frames: 3, answers: 1, addresses: 2, names: 2, errors: { truncated: 1 }, ignored: { not_lan_client: 1 } });
  const names = f.handlers()['traffic.names']!;
  t.like((names({ ip: '2001:DB8:C0:0::80' }) as { names: unknown[] }).names[0], { ip: '2001:db8:c0::80', name: 'www.example.com', canonical: 'edge.example.net' });
  t.is((names({}) as { names: unknown[] }).names.length, 2);
  t.throws(() => names({ ip: 'nope' }), { instanceOf: CommandError });
  t.throws(() => names({ limit: 0 }), { instanceOf: CommandError });
});
