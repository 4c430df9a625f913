// The devices feature without processes: a fake context (in-memory SQLite, recording nft),
// observations fed directly. Covers persistence across restarts, the quarantine list for the
// first apply, incremental kernel changes, the audit trail and findings to the pipeline.
import test from 'ava';
import { openDb, type Db } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { Conditions } from '../../../firmware/src/app/conditions.js';
import type { FeatureContext } from '../../../firmware/src/feature/contract.js';
import { DevicesRepo } from '../../../firmware/src/devices/repo.js';
import type { Finding } from '../../../firmware/src/alerts/types.js';
import { DevicesFeature } from '../../../firmware/src/devices/feature.js';
import type { Observation } from '../../../firmware/src/devices/model.js';
import { packageRoot } from '../../../firmware/src/sys/paths.js';
import { bridgeForwardCommands } from '../../../firmware/src/nft/render.js';

const IOS = [1, 121, 3, 6, 15, 108, 114, 119, 252];
const PHONE = '26:11:22:33:44:55';

function harness(db: Db, clock: { t: number }, learningDays: number, fail = false) {
  const raised: Finding[] = [];
  const nftCalls: string[] = [];
  let applies = 0;
  const ctx = {
    stateDir: '/nonexistent', config: {} as FeatureContext['config'], base: { tableName: 'utm' } as FeatureContext['base'],
    provisioning: { learningDays, autoQuarantineNewDevices: false } as FeatureContext['provisioning'],
    log: { info: () => {}, warn: () => {}, error: () => {} }, now: () => clock.t, repos: new DevicesRepo(db),
    ruleset: {
      table: 'utm',
      transact: async (doc: string | Uint8Array) => { if (fail) throw new Error('nft says no'); nftCalls.push(String(doc)); },
      listSet: async () => '{"nftables":[]}',
      change: <T>(fn: () => Promise<T>): Promise<T> => fn(),
    },
    conditions: new Conditions(() => clock.t), deviceId: 'x',
    plan: () => ({ mode: 'bridge', ifaces: { wan: 'eth0', lan: ['eth1'], bridge: 'br0' } }) as unknown as ReturnType<FeatureContext['plan']>,
    raise: (f: Finding) => raised.push(f), requestApply: async () => { applies++; return true; },
  } satisfies FeatureContext<DevicesRepo>;
  const f = new DevicesFeature({ root: packageRoot(), oui: { vendorOf: () => null, loaded: () => true } });
  f.init(ctx);
  return { f, raised, nftCalls, ctx, applies: () => applies };
}

const obs = (mac: string, at: number, hostname: string): Observation => ({ mac, at, source: 'dhcp', ipv4: '192.168.77.150', vendor: null, dhcp: { hostname, prl: IOS, vendorClass: null, clientId: null } });

test('the learning start is stored once; devices, statuses and the audit survive a restart; quarantine() feeds the first apply', async (t) => {
  const db = openDb(':memory:', everyMigration);
  const clock = { t: 1_764_100_000_000 };
  const a = harness(db, clock, 0);
  a.f.ingest(obs(PHONE, clock.t, 'Hanakos-iPhone'));
  t.is(a.raised.length, 0, 'a phone alert waits for the evidence the box will soon have');
  // Its own connectivity check agrees: decisive, the alert is raised at once.
  a.f.ingest({ mac: PHONE, at: clock.t + 800, source: 'dns', vendor: null, dnsHint: 'apple-captive' });
  t.is(a.raised.length, 1);
  t.is(a.raised[0]?.kind, 'new_device_phone');
  const r = await a.f.act({ type: 'quarantine', mac: PHONE, actor: 'admin@192.168.77.101', at: clock.t });
  t.true(r.ok && r.enforced && r.device.status === 'quarantined');
  // bridge mode: the inet table's copy (IP, new connections) and the bridge table's, and the
  // bridge forward chain armed (per-frame lookups), in one transaction (devices/quarantineSet.ts)
  const first = JSON.parse(a.nftCalls[0]!) as { nftables: unknown[] };
  t.deepEqual(first.nftables.slice(0, 2), ['inet', 'bridge'].map((family) => ({ add: { element: { family, table: 'utm', name: 'quarantine', elem: [PHONE] } } })));
  t.deepEqual(first.nftables.slice(2), bridgeForwardCommands('utm', { wan: 'eth0', lan: ['eth1'] }, true));
  // the cutter also ends connections by the addresses the inventory holds (here from DHCP)
  t.deepEqual(a.f.quarantinedAddresses(), [{ mac: PHONE, ipv4: '192.168.77.150' }]);
  await a.f.act({ type: 'label', mac: PHONE, actor: 'utmctl', at: clock.t, label: '花子さんの私物' });
  a.f.flush();

  clock.t += 3_600_000;
  const b = harness(db, clock, 7); // a longer learning period now: counted from the stored start
  t.deepEqual(b.f.quarantine(), [PHONE]);
  const d = b.f.device(PHONE)!;
  t.is(d.status, 'quarantined');
  t.is(d.label, '花子さんの私物');
  t.true(b.f.list().learning.active);
  t.is(b.f.list().learning.until, 1_764_100_000_000 + 7 * 86_400_000);
  const audit = b.f.recentAudit(10) as { actor: string; action: string }[];
  t.deepEqual(audit.map((e) => [e.action, e.actor]), [['label', 'utmctl'], ['quarantine', 'admin@192.168.77.101']]);
});

test('release removes the element (add then delete, one transaction); a failed kernel change asks for a full apply', async (t) => {
  const db = openDb(':memory:', everyMigration);
  const clock = { t: 1_764_100_000_000 };
  const a = harness(db, clock, 0);
  a.f.ingest(obs(PHONE, clock.t, 'Taros-iPhone'));
  await a.f.act({ type: 'quarantine', mac: PHONE, actor: 'utmctl', at: clock.t });
  await a.f.act({ type: 'release', mac: PHONE, actor: 'utmctl', at: clock.t });
  const del = JSON.parse(a.nftCalls[1]!) as { nftables: Record<string, unknown>[] };
  t.deepEqual(del.nftables.slice(0, 4).map((c) => Object.keys(c)[0]), ['add', 'delete', 'add', 'delete'], 'inet, then bridge');
  t.deepEqual(del.nftables.slice(4), bridgeForwardCommands('utm', { wan: 'eth0', lan: ['eth1'] }, false), 'the set is empty again (as listed): disarmed');

  const b = harness(openDb(':memory:', everyMigration), clock, 0, true);
  b.f.ingest(obs(PHONE, clock.t, 'Taros-iPhone'));
  const r = await b.f.act({ type: 'quarantine', mac: PHONE, actor: 'utmctl', at: clock.t });
  t.true(r.ok && !r.enforced);
  t.is(b.applies(), 1);
  t.false(b.ctx.conditions.list().find((c) => c.id === 'devices:quarantine')?.ok);
});

test('an unknown device cannot be acted on', async (t) => {
  const a = harness(openDb(':memory:', everyMigration), { t: 1 }, 0);
  t.deepEqual(await a.f.act({ type: 'approve', mac: '00:14:22:00:00:01', actor: 'utmctl', at: 1 }), { ok: false, reason: 'unknown_device' });
});
