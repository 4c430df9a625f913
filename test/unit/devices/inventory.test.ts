import test from 'ava';
import { applyAction, quarantinedMacs } from '../../../firmware/src/devices/actions.js';
import { loadFingerprints } from '../../../firmware/src/devices/fingerprintFile.js';
import { inLearning, observe, tick, type Step } from '../../../firmware/src/devices/inventory.js';
import { DEFAULT_POLICY, DeviceSchema, emptyInventory, type InventoryPolicy, type InventoryState, type Observation } from '../../../firmware/src/devices/model.js';

const table = loadFingerprints();
const DAY = 86_400_000;
const T0 = 1_764_100_000_000;
const AFTER = T0 + 8 * DAY;
// Most tests here are about other things than the evidence window: alerts are raised at once.
const policy: InventoryPolicy = { ...DEFAULT_POLICY, evidenceMs: 0 };
const IOS = [1, 121, 3, 6, 15, 108, 114, 119, 252];
const XP = [1, 15, 3, 6, 44, 46, 47, 31, 33, 249, 43];

function dhcp(mac: string, at: number, d: Partial<NonNullable<Observation['dhcp']>> = {}, vendor: string | null = null): Observation {
  return { mac, at, source: 'dhcp', ipv4: '192.168.1.50', vendor, dhcp: { hostname: null, prl: [], vendorClass: null, clientId: null, ...d } };
}
const iphone = (mac: string, at: number, hostname = 'Taros-iPhone') => dhcp(mac, at, { hostname, prl: IOS });

function run(state: InventoryState, obs: Observation[], p: InventoryPolicy = policy): Step & { all: Step['findings']; allActions: Step['actions'] } {
  let s = state; const all: Step['findings'] = []; const allActions: Step['actions'] = [];
  let last: Step = { state, findings: [], actions: [] };
  for (const o of obs) { last = observe(s, o, o.at, p, table); s = last.state; all.push(...last.findings); allActions.push(...last.actions); }
  return { ...last, state: s, all, allActions };
}

test('devices seen during the learning period become the baseline and raise no alert, ever', (t) => {
  const r = run(emptyInventory(T0), [dhcp('00:0c:29:aa:bb:cc', T0 + DAY, { prl: XP, vendorClass: 'MSFT 5.0' }), iphone('5a:11:22:33:44:55', T0 + 2 * DAY), dhcp('00:0c:29:aa:bb:cc', AFTER)]);
  t.is(r.all.length, 0);
  t.is(r.state.devices.get('00:0c:29:aa:bb:cc')?.status, 'learning');
  t.is(r.state.devices.get('5a:11:22:33:44:55')?.status, 'learning');
  t.true(inLearning(r.state, T0 + 6 * DAY, policy));
  t.false(inLearning(r.state, AFTER, policy));
});

test('a personal iPhone after learning raises exactly one new_device_phone alert', (t) => {
  const r = run(emptyInventory(T0), [iphone('5a:11:22:33:44:55', AFTER), iphone('5a:11:22:33:44:55', AFTER + 1000), iphone('5a:11:22:33:44:55', AFTER + 60_000)]);
  t.is(r.all.length, 1);
  const f = r.all[0]!;
  t.is(f.kind, 'new_device_phone');
  t.is(f.dedupKey, 'device:5a:11:22:33:44:55');
  t.like(f.params, { hostname: 'Taros-iPhone', deviceType: 'phone', quarantined: false, maybeSameAs: undefined });
  t.is(r.state.devices.get('5a:11:22:33:44:55')?.status, 'new');
  t.true(DeviceSchema.safeParse(r.state.devices.get('5a:11:22:33:44:55')).success);
});

test('the same phone rejoining with a new private MAC is linked and raises nothing', (t) => {
  const r = run(emptyInventory(T0), [iphone('5a:11:22:33:44:55', T0 + DAY), iphone('7e:aa:bb:cc:dd:ee', AFTER)]);
  t.is(r.all.length, 0);
  t.like(r.state.devices.get('7e:aa:bb:cc:dd:ee'), { linkedTo: '5a:11:22:33:44:55', status: 'learning' });
  t.is(r.state.audit.at(-1)?.action, 'link');
});

test('weak signals: a rare fingerprint with timing says it may be the earlier device; a common one does not', (t) => {
  const RARE = [1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 114, 108, 252, 119];
  const rare = (mac: string, at: number) => dhcp(mac, at, { hostname: 'iPhone', prl: RARE });
  const r = run(emptyInventory(T0), [rare('5a:11:22:33:44:55', T0 + DAY), rare('7e:aa:bb:cc:dd:ee', AFTER)]);
  t.is(r.all.length, 1);
  t.like(r.all[0]!.params, { maybeSameAs: '5a:11:22:33:44:55' });
  t.is(r.state.devices.get('7e:aa:bb:cc:dd:ee')?.maybeSameAs, '5a:11:22:33:44:55');
  // Every iPhone sends the iOS list and many are called "iPhone": that is not evidence.
  const c = run(emptyInventory(T0), [iphone('5a:11:22:33:44:55', T0 + DAY, 'iPhone'), iphone('7e:aa:bb:cc:dd:ee', AFTER, 'iPhone')]);
  t.is(c.all.length, 1);
  t.is(c.all[0]!.params['maybeSameAs'], undefined);
});

test('an XP PC after learning is flagged end-of-life', (t) => {
  const r = run(emptyInventory(T0), [dhcp('00:0c:29:aa:bb:cc', AFTER, { prl: XP, vendorClass: 'MSFT 5.0', hostname: 'OLD-PC' })]);
  t.is(r.all[0]?.kind, 'new_device_eol');
  t.like(r.all[0]?.params, { osName: 'Windows XP' });
});

test('seen without DHCP first: the alert waits for DHCP, then uses its classification', (t) => {
  const fdb: Observation = { mac: '5a:11:22:33:44:55', at: AFTER, source: 'fdb', vendor: null };
  const a = run(emptyInventory(T0), [fdb]);
  t.is(a.all.length, 0);
  const b = observe(a.state, iphone('5a:11:22:33:44:55', AFTER + 2000), AFTER + 2000, policy, table);
  t.is(b.findings.length, 1);
  t.is(b.findings[0]!.kind, 'new_device_phone');
});

test('seen without DHCP and none arrives: tick raises new_device_unknown after the hold time', (t) => {
  const a = run(emptyInventory(T0), [{ mac: '00:00:5e:00:53:99', at: AFTER, source: 'neigh', ipv4: '192.168.1.9', vendor: null }]);
  t.is(tick(a.state, AFTER + 1000, policy).findings.length, 0);
  const b = tick(a.state, AFTER + policy.holdMs, policy);
  t.is(b.findings.length, 1);
  t.is(b.findings[0]!.kind, 'new_device_unknown');
  t.is(tick(b.state, AFTER + 2 * policy.holdMs, policy).findings.length, 0);
});

test('auto-quarantine policy quarantines a new device and asks the adapter to enforce it', (t) => {
  const r = run(emptyInventory(T0), [iphone('5a:11:22:33:44:55', AFTER)], { ...policy, autoQuarantine: true });
  t.deepEqual(r.allActions, [{ type: 'quarantine_add', mac: '5a:11:22:33:44:55' }]);
  t.is(r.all[0]!.action, 'quarantined');
  t.like(r.state.audit.at(-1), { actor: 'policy', action: 'auto_quarantine' });
});

test('approve, quarantine, release are recorded with actor and time; approved devices stay silent', (t) => {
  let s = run(emptyInventory(T0), [iphone('5a:11:22:33:44:55', AFTER)]).state;
  const q = applyAction(s, { type: 'quarantine', mac: '5a:11:22:33:44:55', actor: 'staff:sato', at: AFTER + 10 }, policy);
  if (!q.ok) return t.fail();
  t.deepEqual(q.actions, [{ type: 'quarantine_add', mac: '5a:11:22:33:44:55' }]);
  t.is(q.findings[0]?.kind, 'device_quarantined');
  t.deepEqual(quarantinedMacs(q.state), ['5a:11:22:33:44:55']);
  const again = applyAction(q.state, { type: 'quarantine', mac: '5a:11:22:33:44:55', actor: 'staff:sato', at: AFTER + 11 }, policy);
  t.true(again.ok && !again.changed);
  const rel = applyAction(q.state, { type: 'release', mac: '5a:11:22:33:44:55', actor: 'technician', at: AFTER + 20 }, policy);
  if (!rel.ok) return t.fail();
  t.deepEqual(rel.actions, [{ type: 'quarantine_remove', mac: '5a:11:22:33:44:55' }]);
  const ap = applyAction(rel.state, { type: 'approve', mac: '5a:11:22:33:44:55', actor: 'staff:sato', at: AFTER + 30 }, policy);
  if (!ap.ok) return t.fail();
  s = ap.state;
  t.deepEqual(s.audit.slice(-3).map((e) => [e.action, e.actor, e.at, e.from, e.to]), [
    ['quarantine', 'staff:sato', AFTER + 10, 'new', 'quarantined'],
    ['release', 'technician', AFTER + 20, 'quarantined', 'new'],
    ['approve', 'staff:sato', AFTER + 30, 'new', 'approved'],
  ]);
  t.is(run(s, [iphone('5a:11:22:33:44:55', AFTER + DAY)]).all.length, 0);
  t.deepEqual(applyAction(s, { type: 'approve', mac: '00:00:00:00:00:01', actor: 'x', at: 0 }, policy), { ok: false, reason: 'unknown_device' });
  t.deepEqual(applyAction(s, { type: 'approve', mac: '5a:11:22:33:44:55', actor: '  ', at: 0 }, policy), { ok: false, reason: 'bad_actor' });
});

test('a quarantined phone that rotates its private MAC stays quarantined', (t) => {
  const a = run(emptyInventory(T0), [iphone('5a:11:22:33:44:55', AFTER)]);
  const q = applyAction(a.state, { type: 'quarantine', mac: '5a:11:22:33:44:55', actor: 'staff', at: AFTER + 1 }, policy);
  if (!q.ok) return t.fail();
  const b = run(q.state, [iphone('7e:aa:bb:cc:dd:ee', AFTER + DAY)]);
  t.is(b.all.length, 0);
  t.deepEqual(b.allActions, [{ type: 'quarantine_add', mac: '7e:aa:bb:cc:dd:ee' }]);
  t.is(b.state.devices.get('7e:aa:bb:cc:dd:ee')?.status, 'quarantined');
});

test('labels are cleaned and length-limited', (t) => {
  const a = run(emptyInventory(T0), [iphone('5a:11:22:33:44:55', AFTER)]);
  const l = applyAction(a.state, { type: 'label', mac: '5a:11:22:33:44:55', actor: 'staff', at: AFTER, label: ` 経理の\u001b[31mパソコン${'x'.repeat(100)}` }, policy);
  if (!l.ok) return t.fail();
  const label = l.state.devices.get('5a:11:22:33:44:55')!.label!;
  t.true(label.startsWith('経理の[31mパソコン'));
  t.is(Array.from(label).length, 64);
});

test('the table is bounded: oldest stale unapproved devices are evicted, otherwise new ones are dropped and counted', (t) => {
  const small = { ...policy, maxDevices: 10, learningDays: 0 };
  const macs = Array.from({ length: 10 }, (_, i) => `00:00:5e:00:53:${i.toString(16).padStart(2, '0')}`);
  let s = run(emptyInventory(T0), macs.map((m, i) => dhcp(m, T0 + i)), small).state;
  const app = applyAction(s, { type: 'approve', mac: macs[0]!, actor: 'staff', at: T0 }, small);
  if (!app.ok) return t.fail();
  s = app.state;
  // Nothing stale yet: the 11th is dropped.
  const full = observe(s, dhcp('00:00:5e:00:53:aa', T0 + 100), T0 + 100, small, table);
  t.is(full.state.devices.size, 10);
  t.is(full.state.counters.dropped, 1);
  // 31 days later the oldest unapproved one (macs[1]) goes, the approved one stays.
  const later = T0 + 31 * DAY;
  const ev = observe(s, dhcp('00:00:5e:00:53:bb', later), later, small, table);
  t.false(ev.state.devices.has(macs[1]!));
  t.true(ev.state.devices.has(macs[0]!));
  t.true(ev.state.devices.has('00:00:5e:00:53:bb'));
  t.is(ev.state.counters.evicted, 1);
});

test('audit is capped', (t) => {
  const p = { ...policy, auditMax: 10, learningDays: 0, autoQuarantine: true };
  const r = run(emptyInventory(T0), Array.from({ length: 30 }, (_, i) => dhcp(`00:00:5e:00:54:${i.toString(16).padStart(2, '0')}`, T0 + i)), p);
  t.is(r.state.audit.length, 10);
});

test('a RELEASE without options 55/60 keeps the earlier fingerprint; hostile values are capped', (t) => {
  const r = run(emptyInventory(T0), [
    dhcp('00:0c:29:aa:bb:cc', AFTER, { prl: XP, vendorClass: 'MSFT 5.0', hostname: 'OLD-PC' }),
    dhcp('00:0c:29:aa:bb:cc', AFTER + 10, {}),
    { mac: '00:0c:29:aa:bb:dd', at: AFTER, source: 'lease', ipv4: 'not-an-ip', vendor: 'V'.repeat(500), dhcp: { hostname: 'h'.repeat(300), prl: [], vendorClass: null, clientId: 'zz' } },
  ]);
  t.like(r.state.devices.get('00:0c:29:aa:bb:cc'), { osName: 'Windows XP', eol: true, hostname: 'OLD-PC' });
  const hostile = r.state.devices.get('00:0c:29:aa:bb:dd')!;
  t.true(DeviceSchema.safeParse(hostile).success);
  t.deepEqual(hostile.ipv4, []);
});

test('a hostile or empty hostname with a short option list is 「種類の分からない機器」 and raises only the unknown-device alert', (t) => {
  for (const hostname of ['<script>alert(1)</script>', '', null]) {
    const r = run(emptyInventory(T0), [dhcp('00:00:5e:00:53:42', AFTER, { prl: [1, 3, 6, 15], hostname })]);
    t.is(r.all.length, 1);
    t.is(r.all[0]!.kind, 'new_device_unknown');
    t.like(r.all[0]!.params, { deviceType: 'unknown', osName: undefined });
    t.like(r.all[0]!.evidence, { eol: false, likelyPersonalPhone: false, confidence: 0 });
  }
});

test('what decided a classification is kept on the device and in the alert; old records are reclassified once', (t) => {
  const r = run(emptyInventory(T0), [dhcp('00:0c:29:aa:bb:cc', AFTER, { prl: XP, vendorClass: 'MSFT 5.0', hostname: 'OLD-PC' })]);
  const d = r.state.devices.get('00:0c:29:aa:bb:cc')!;
  t.deepEqual(d.classEvidence, ['fp:windows-xp', 'prl_exact', 'vendor_class_exact']);
  t.deepEqual(r.all[0]!.evidence['basis'], d.classEvidence);
  // A record stored by the old prefix-matching table: "Windows 98" for the Xbox list, no evidence.
  const stale = { ...d, mac: '00:00:5e:00:53:43', fingerprint: { prl: [1, 3, 6, 15], vendorClass: null, clientId: null }, osFamily: 'windows' as const, osName: 'Windows 98', deviceType: 'pc' as const, eol: true, classEvidence: undefined, status: 'approved' as const };
  const s = { ...r.state, devices: r.state.devices.set(stale) };
  const next = observe(s, { mac: stale.mac, at: AFTER + 1000, source: 'neigh', ipv4: '192.168.1.60', vendor: null }, AFTER + 1000, policy, table);
  t.like(next.state.devices.get(stale.mac), { eol: false, osName: '', deviceType: 'unknown' });
});

test('a device\'s addresses are read by net/ip: ambiguous or impossible ones are dropped, IPv6 is canonical', (t) => {
  // The former shape regexes kept 999.1.1.1 and 192.168.001.5 and stored IPv6 as written (twice
  // for two spellings of one address).
  const mac = '00:0c:29:aa:bb:ee';
  const seen = (at: number, ipv4?: string, ipv6?: string): Observation => ({ mac, at, source: 'neigh', ipv4, ipv6, vendor: null });
  const r = run(emptyInventory(T0), [
    seen(AFTER, '192.168.1.7', '2001:DB8::0:1'), seen(AFTER + 1, '999.1.1.1', '2001:db8:0:0::1'), seen(AFTER + 2, '192.168.001.5', '::ffff:192.168.1.9'),
    seen(AFTER + 3, '2001:db8::2', '192.168.1.8'),
  ]);
  const d = r.state.devices.get(mac);
  t.deepEqual(d?.ipv4, ['192.168.1.7']);
  t.deepEqual(d?.ipv6, ['2001:db8::1']);
});
