import test from 'ava';
import { observationFromFrame } from '../../../firmware/src/devices/fromDhcp.js';
import { buildDhcp, clientRequest } from './dhcpBuilder.js';

const frame = (payload: Uint8Array, srcIp = '0.0.0.0') => ({ at: 5, srcMac: '5a:11:22:33:44:55', srcIp, dstIp: '255.255.255.255', srcPort: 68, dstPort: 67, vlan: null, payload });

test('a client DISCOVER becomes a dhcp observation keyed by chaddr', (t) => {
  const r = observationFromFrame(frame(clientRequest({ mac: '5a:11:22:33:44:55', prl: [1, 3, 6], hostname: 'Taros-iPhone', clientId: [1, 0x5a, 0x11, 0x22, 0x33, 0x44, 0x55] })), () => null);
  if (!r.ok) return t.fail(r.reason);
  t.like(r.observation, { mac: '5a:11:22:33:44:55', source: 'dhcp', at: 5, ipv4: undefined, vendor: null });
  // xid: the DHCP exchange the packet belongs to (refused host names are counted per exchange).
  t.deepEqual(r.observation.dhcp, { hostname: 'Taros-iPhone', prl: [1, 3, 6], vendorClass: null, clientId: '015a1122334455', xid: 0x3903f326 });
});

test('server replies and malformed packets are refused with a reason', (t) => {
  t.like(observationFromFrame(frame(buildDhcp({ op: 2, options: [[53, [5]]] })), () => null), { ok: false, reason: 'not_client' });
  t.like(observationFromFrame(frame(buildDhcp({ cookie: 1 })), () => null), { ok: false, reason: 'missing_cookie' });
  t.like(observationFromFrame(frame(buildDhcp({ mac: '01:00:5e:00:00:01', options: [[53, [1]]] })), () => null), { ok: false, reason: 'bad_mac' });
});

test('a renewing client reports its address', (t) => {
  const r = observationFromFrame(frame(buildDhcp({ options: [[53, [3]]] }), '192.168.1.20'), () => 'X');
  t.like(r, { ok: true, observation: { ipv4: '192.168.1.20', vendor: 'X' } });
});
