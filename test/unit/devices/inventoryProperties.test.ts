import test from 'ava';
import fc from 'fast-check';
import { applyAction } from '../../../firmware/src/devices/actions.js';
import { DeviceTable } from '../../../firmware/src/devices/deviceTable.js';
import { loadFingerprints } from '../../../firmware/src/devices/fingerprintFile.js';
import { inLearning, observe, tick } from '../../../firmware/src/devices/inventory.js';
import { DEFAULT_POLICY, DeviceSchema, emptyInventory, type Observation } from '../../../firmware/src/devices/model.js';

const table = loadFingerprints();
const T0 = 1_764_100_000_000;
const DAY = 86_400_000;
const PRLS = [[1, 121, 3, 6, 15, 108, 114, 119, 252], [1, 15, 3, 6, 44, 46, 47, 31, 33, 249, 43], [1, 3, 6, 15, 26, 28, 51, 58, 59, 43], []];

const step = fc.record({
  dev: fc.integer({ min: 0, max: 15 }),
  random: fc.boolean(),
  dt: fc.integer({ min: 0, max: 2 * DAY }),
  source: fc.constantFrom('dhcp', 'fdb', 'neigh'),
  host: fc.constantFrom(null, 'iPhone', 'Taros-iPhone', 'KEIRI-PC', '<img src=x onerror=alert(1)>', '\u001b[2J'),
  prl: fc.integer({ min: 0, max: PRLS.length - 1 }),
  act: fc.constantFrom<null | 'approve' | 'quarantine' | 'release' | 'tick'>(null, 'approve', 'quarantine', 'release', 'tick'),
});

test('property: one alert per device at most (corrections only of a raised one), none during learning, records always valid, table bounded', (t) => {
  fc.assert(fc.property(fc.array(step, { maxLength: 80 }), fc.boolean(), (steps, auto) => {
    // 32 possible MACs < maxDevices: no eviction here (an evicted device may rightly alert again).
    const policy = { ...DEFAULT_POLICY, maxDevices: 40, autoQuarantine: auto };
    let s = emptyInventory(T0);
    let now = T0;
    const alerted = new Map<string, number>();
    let stray = false;
    // A new-device alert once per device; a correction (replaces) only of an alert already raised.
    const count = (f: { kind: string; dedupKey: string; replaces?: readonly string[] | undefined }): void => {
      if (!f.kind.startsWith('new_device')) return;
      if (f.replaces !== undefined) { if (!alerted.has(f.dedupKey)) stray = true; return; }
      alerted.set(f.dedupKey, (alerted.get(f.dedupKey) ?? 0) + 1);
    };
    for (const st of steps) {
      now += st.dt;
      const mac = `${st.random ? '5a' : '00'}:00:5e:00:53:${st.dev.toString(16).padStart(2, '0')}`;
      if (st.act === 'tick') {
        const r = tick(s, now, policy);
        s = r.state;
        for (const f of r.findings) count(f);
        continue;
      }
      if (st.act !== null && s.devices.has(mac)) {
        const r = applyAction(s, { type: st.act, mac, actor: 'staff', at: now }, policy);
        if (r.ok) s = r.state;
        continue;
      }
      const obs: Observation = st.source === 'dhcp'
        ? { mac, at: now, source: 'dhcp', vendor: null, dhcp: { hostname: st.host, prl: PRLS[st.prl]!, vendorClass: null, clientId: null } }
        : { mac, at: now, source: st.source, vendor: null };
      const learning = inLearning(s, now, policy);
      const r = observe(s, obs, now, policy, table);
      if (learning && r.findings.length > 0) return false;
      for (const f of r.findings) count(f);
      s = r.state;
      if (s.devices.size > policy.maxDevices) return false;
    }
    for (const d of s.devices.values()) if (!DeviceSchema.safeParse(d).success) return false;
    return !stray && [...alerted.values()].every((n) => n === 1);
  }), { numRuns: 2000 });
  t.pass();
});

test('DeviceTable: set/delete leave the original untouched and size stays right', (t) => {
  const d = (mac: string) => ({ ...(DeviceSchema.parse({
    mac, ipv4: [], ipv6: [], hostname: null, vendor: null, randomised: false, fingerprint: null, osFamily: 'unknown', osName: '', deviceType: 'unknown',
    confidence: 0, eol: false, likelyPersonalPhone: false, phoneReasons: [], firstSeen: 0, lastSeen: 0, status: 'new', label: null, linkedTo: null, maybeSameAs: null, alerted: false, pendingSince: null,
  })) });
  const a = DeviceTable.empty();
  const b = a.set(d('00:00:00:00:00:01')).set(d('00:00:00:00:00:02'));
  const c = b.set(d('00:00:00:00:00:01')).delete('00:00:00:00:00:02').delete('00:00:00:00:00:09');
  t.is(a.size, 0); t.is(b.size, 2); t.is(c.size, 1);
  t.true(b.has('00:00:00:00:00:02')); t.false(c.has('00:00:00:00:00:02'));
  t.deepEqual([...DeviceTable.from(b.values()).values()].map((x) => x.mac).sort(), ['00:00:00:00:00:01', '00:00:00:00:00:02']);
});
