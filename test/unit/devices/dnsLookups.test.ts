// Names a device looks up, as classification evidence: the capture's decision step (query →
// dnsHint id) and the inventory folding it in (a Windows 10 PC sending the Vista/7 list is no
// longer called end-of-life once it checks msftconnecttest.com).
import test from 'ava';
import fc from 'fast-check';
import { dnsHintOf } from '../../../firmware/src/devices/fingerprints.js';
import { lookupFromFrame } from '../../../firmware/src/devices/dnsLookups.js';
import { loadFingerprints } from '../../../firmware/src/devices/fingerprintFile.js';
import { observe } from '../../../firmware/src/devices/inventory.js';
import { DEFAULT_POLICY, emptyInventory, type Observation } from '../../../firmware/src/devices/model.js';
import type { UdpFrame } from '../../../firmware/src/pcap/pcap.js';
import { answerFor, encodeDns } from '../../helpers/dnsWire.js';

const table = loadFingerprints();
const PC = '00:14:22:10:20:30';
const T0 = 1_764_100_000_000;
const vendorOf = (): string | null => 'Dell Inc.';

function frame(payload: Uint8Array, o: Partial<UdpFrame> = {}): UdpFrame {
  return { at: T0, srcMac: PC, srcIp: '192.168.77.150', dstIp: '192.168.77.1', srcPort: 53000, dstPort: 53, vlan: null, payload, ...o };
}
const query = (name: string): Uint8Array => encodeDns({ qr: false, question: { name, type: 1 } });

test('a query for a hint name becomes an observation carrying only the hint id', (t) => {
  const r = lookupFromFrame(frame(query('WWW.MSFTCONNECTTEST.COM')), table, vendorOf);
  t.deepEqual(r, { ok: true, observation: { mac: PC, at: T0, source: 'dns', vendor: 'Dell Inc.', dnsHint: 'windows-ncsi-10' } });
  t.like(lookupFromFrame(frame(query('www.example.com')), table, vendorOf), { ok: false, reason: 'no_hint' });
});

test('answers, other opcodes, broken names and multicast senders are dropped', (t) => {
  t.like(lookupFromFrame(frame(answerFor('www.msftconnecttest.com', ['192.0.2.1']), { srcPort: 53, dstPort: 53000 }), table, vendorOf), { reason: 'not_query' });
  t.like(lookupFromFrame(frame(answerFor('www.msftconnecttest.com', ['192.0.2.1'])), table, vendorOf), { reason: 'not_query' }, 'QR set');
  t.like(lookupFromFrame(frame(encodeDns({ qr: false, opcode: 5, question: { name: 'captive.apple.com' } })), table, vendorOf), { reason: 'not_query' });
  const bad = query('captive.apple.com'); bad[12] = 0xc0; bad[13] = 0x20; // a forward pointer
  t.like(lookupFromFrame(frame(bad), table, vendorOf), { reason: 'bad_name' });
  t.like(lookupFromFrame(frame(query('captive.apple.com'), { srcMac: '01:00:5e:00:00:fb' }), table, vendorOf), { reason: 'bad_mac' });
  t.like(lookupFromFrame(frame(Uint8Array.from([1, 2, 3])), table, vendorOf), { reason: 'not_query' });
});

test('inventory: Windows 10 sending the Vista/7 list is end-of-life until it checks msftconnecttest.com', (t) => {
  const dhcp: Observation = { mac: PC, at: T0, source: 'dhcp', vendor: 'Dell Inc.', dhcp: { hostname: 'KEIRI-PC', prl: [1, 15, 3, 6, 44, 46, 47, 31, 33, 121, 249, 43], vendorClass: 'MSFT 5.0', clientId: null } };
  let s = observe(emptyInventory(T0), dhcp, T0, DEFAULT_POLICY, table).state;
  t.like(s.devices.get(PC), { osName: 'Windows Vista / 7', eol: true });
  const look = lookupFromFrame(frame(query('www.msftconnecttest.com')), table, vendorOf);
  if (!look.ok) return t.fail(look.reason);
  const step = observe(s, { ...look.observation, at: T0 + 5000 }, T0 + 5000, DEFAULT_POLICY, table);
  s = step.state;
  t.like(s.devices.get(PC), { osFamily: 'windows', osName: 'Windows 10 / 11', eol: false, dnsHints: ['windows-ncsi-10'] });
  t.true(s.devices.get(PC)?.classEvidence?.includes('dns:windows-ncsi-10'));
  t.deepEqual(step.findings, []);
  // The same hint again changes nothing (no write); a name from a device never seen creates none.
  t.is(observe(s, { ...look.observation, at: T0 + 9000 }, T0 + 9000, DEFAULT_POLICY, table).state, s);
  t.is(observe(s, { ...look.observation, mac: '00:14:22:99:99:99' }, T0 + 9000, DEFAULT_POLICY, table).state, s);
});

test('dnsHintOf (an index by label suffix) says what a scan of the rules says: the name or a parent domain, never a look-alike', (t) => {
  const table = loadFingerprints();
  const scan = (name: string) => {
    const n = name.toLowerCase().replace(/\.$/, '');
    return table.dnsHints.find((h) => h.names.some((x) => n === x || n.endsWith(`.${x}`)))?.id ?? null;
  };
  const known = table.dnsHints.flatMap((h) => h.names);
  const label = fc.stringMatching(/^[a-zA-Z0-9-]{0,8}$/);
  const name = fc.tuple(fc.array(label, { maxLength: 3 }), fc.constantFrom(...known, 'example.com', 'com', ''), fc.constantFrom('', '.', 'x'), fc.boolean())
    .map(([pre, base, tail, upper]) => { const n = [...pre, base].filter((x) => x !== '').join('.') + tail; return upper ? n.toUpperCase() : n; });
  t.notThrows(() => fc.assert(fc.property(name, (n) => (dnsHintOf(table, n)?.id ?? null) === scan(n)), { numRuns: 3000 }));
  t.is(dnsHintOf(table, 'www.MSFTCONNECTTEST.com.')?.id, 'windows-ncsi-10');
  t.is(dnsHintOf(table, 'evilmsftconnecttest.com'), null);
});
