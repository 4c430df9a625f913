import test from 'ava';
import { roleNames } from '../../../firmware/src/devices/hostNames.js';
import { NamesGuard } from '../../../firmware/src/devices/namesGuard.js';
import { DeviceTable } from '../../../firmware/src/devices/deviceTable.js';
import { emptyInventory, type Device, type InventoryState, type Observation } from '../../../firmware/src/devices/model.js';

function device(mac: string, over: Partial<Device>): Device {
  return {
    mac, ipv4: ['192.168.77.150'], ipv6: [], hostname: null, vendor: null, randomised: false, fingerprint: null, osFamily: 'unknown', osName: '',
    deviceType: 'unknown', confidence: 0, eol: false, likelyPersonalPhone: false, phoneReasons: [], firstSeen: 1, lastSeen: 1,
    status: 'new', label: null, linkedTo: null, maybeSameAs: null, alerted: false, pendingSince: null, ...over,
  };
}
const state = (devices: Device[]): InventoryState => ({ ...emptyInventory(0), devices: DeviceTable.from(devices) });
const dhcp = (mac: string, hostname: string, xid: number, at: number): Observation =>
  ({ mac, at, source: 'dhcp', vendor: null, dhcp: { hostname, prl: [], vendorClass: null, clientId: null, xid } });

const OWNER = '00:14:22:00:00:01';
const OTHER = '02:00:00:00:00:99';

test('approving a device moves its name into the names file; unrelated changes do not rewrite it', (t) => {
  const before = state([device(OWNER, { hostname: 'Keiri-PC' })]);
  const g = new NamesGuard(roleNames(['otasuke']), before.devices.values());
  t.notRegex(g.namesFile(), /keiri-pc/);
  const seen = state([device(OWNER, { hostname: 'Keiri-PC', lastSeen: 99, ipv4: ['192.168.77.151'] })]);
  t.is(g.update(before, seen, [OWNER]), null, 'a sighting changes no name');
  const approved = state([device(OWNER, { hostname: 'Keiri-PC', status: 'approved' })]);
  t.regex(g.update(seen, approved, [OWNER]) ?? '', /^00:14:22:00:00:01,set:name_owner,keiri-pc\nset:refused_name,keiri-pc\n$/m);
  t.is(g.check(dhcp(OWNER, 'keiri-pc', 1, 10), approved.devices), null, 'the owner asks for its own name');
});

test('a held name asked for twice by another device: counted twice, one finding naming the holder', (t) => {
  const s = state([device(OWNER, { hostname: 'Keiri-PC', status: 'approved', label: '経理のパソコン' })]);
  const g = new NamesGuard(roleNames([]), s.devices.values());
  t.is(g.check(dhcp(OTHER, 'KEIRI-PC', 5, 10), s.devices), null);
  t.is(g.check(dhcp(OTHER, 'keiri-pc', 5, 11), s.devices), null, 'same exchange');
  const f = g.check(dhcp(OTHER, 'keiri-pc.', 6, 20), s.devices);
  t.like(f, { kind: 'dhcp_name_refused', params: { name: 'keiri-pc', reason: 'held', holder: '経理のパソコン', attempts: 2 } });
  t.like(g.status(), { refusals: 2, held: 2, role: 0, findings: 1, heldNames: 1 });
  t.is(g.check(dhcp(OTHER, 'someone-else', 7, 30), s.devices), null);
});
