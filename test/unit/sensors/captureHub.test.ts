// The box's one capture: the BPF filter is the union of the taps' ports, frames are handed to
// the taps by interface index, direction and port side, and tcpdump's drop counters are read.
import test from 'ava';
import { CaptureHub, hubFilter, parseStatsLine, tapWants, type UdpTap } from '../../../firmware/src/sensors/captureHub.js';
import { LINKTYPE, type UdpFrame } from '../../../firmware/src/pcap/pcap.js';
import { buildDhcp, ethIpv4Udp, pcapStream } from '../devices/dhcpBuilder.js';

const T0 = 1_764_100_000_000;

/** An Ethernet frame re-headed as Linux cooked v2 (what `tcpdump -i any -y LINUX_SLL2` writes). */
function sll2(eth: Uint8Array, ifindex: number, packetType: number): Uint8Array {
  const h = new Uint8Array(20);
  h.set(eth.subarray(12, 14), 0);                          // protocol (EtherType)
  new DataView(h.buffer).setUint32(4, ifindex, false);      // interface index
  h[8] = 0; h[9] = 1;                                       // ARPHRD_ETHER
  h[10] = packetType;                                       // 0 host, 1 broadcast, 4 outgoing
  h[11] = 6; h.set(eth.subarray(6, 12), 12);                // link-layer source address
  const out = new Uint8Array(20 + eth.length - 14);
  out.set(h, 0); out.set(eth.subarray(14), 20);
  return out;
}

const discover = (mac: string): Uint8Array => ethIpv4Udp(buildDhcp({ mac, options: [[53, [1]]] }), { src: mac, srcIp: '0.0.0.0', dstIp: '255.255.255.255', srcPort: 68, dstPort: 67 });
const dnsAnswer = ethIpv4Udp(new Uint8Array(40), { src: '02:00:00:00:00:01', srcIp: '192.168.1.1', dstIp: '192.168.1.10', srcPort: 53, dstPort: 40000 });
const dnsQuery = ethIpv4Udp(new Uint8Array(40), { src: '02:00:00:00:00:0a', srcIp: '192.168.1.10', dstIp: '192.168.1.1', srcPort: 40000, dstPort: 53 });

test('the filter is the union of the ports asked for, either side winning over source only', (t) => {
  t.is(hubFilter([]), null);
  t.is(hubFilter([{ ports: [67, 68] }, { ports: [53], portSide: 'src' }, { ports: [68, 67] }]), 'udp port 67 or udp port 68 or udp src port 53');
  t.is(hubFilter([{ ports: [53], portSide: 'src' }, { ports: [53] }]), 'udp port 53');
});

test('tcpdump statistics lines are read, other lines are not', (t) => {
  t.deepEqual(parseStatsLine('tcpdump: 8 packets captured, 100 packets received by filter, 84 packets dropped by kernel'), { received: 100, kernelDrops: 84 });
  t.deepEqual(parseStatsLine('84 packets dropped by kernel'), { kernelDrops: 84 });
  t.deepEqual(parseStatsLine('2000 packets received by filter'), { received: 2000 });
  t.deepEqual(parseStatsLine('1 packet dropped by interface'), {});
  t.deepEqual(parseStatsLine('listening on any, link-type LINUX_SLL2'), {});
});

test('a tap gets only its interfaces, its direction and its port side', (t) => {
  const frame = (srcPort: number, dstPort: number, outgoing: boolean): UdpFrame =>
    ({ at: T0, srcMac: '02:00:00:00:00:01', srcIp: '192.0.2.1', dstIp: '192.0.2.2', srcPort, dstPort, vlan: null, payload: new Uint8Array(), ifindex: 3, outgoing });
  const dns: UdpTap = { ifaces: ['eth1'], ports: [53], portSide: 'src', onFrame: () => undefined };
  const portsIn: UdpTap = { ifaces: ['eth1', 'eth2'], ports: [67, 68], direction: 'in', onFrame: () => undefined };
  t.true(tapWants(dns, frame(53, 40000, true), 'eth1'));
  t.false(tapWants(dns, frame(40000, 53, false), 'eth1'), 'a query is not an answer');
  t.false(tapWants(dns, frame(53, 40000, true), 'eth2'), 'another interface');
  t.true(tapWants(portsIn, frame(68, 67, false), 'eth2'));
  t.false(tapWants(portsIn, frame(67, 68, true), 'eth2'), 'the box sent it: not evidence about the port');
});

test('one stream serves every tap, told apart by interface index; an unknown index re-reads the table', (t) => {
  let now = T0;
  let table = new Map([[3, 'eth1'], [4, 'eth2']]);
  let reads = 0;
  const hub = new CaptureHub({ now: () => now, onHealth: () => undefined, interfaces: () => { reads++; return table; } });
  const got: string[] = [];
  hub.add({ ifaces: ['eth1', 'eth2'], ports: [67, 68], onFrame: (f, i) => got.push(`dhcp ${i} ${f.srcMac}`) });
  hub.add({ ifaces: ['eth2'], ports: [67, 68], direction: 'in', onFrame: (f, i) => got.push(`ports ${i} ${f.srcMac}`) });
  hub.add({ ifaces: ['eth1'], ports: [53], portSide: 'src', onFrame: (f, i) => got.push(`dns ${i} ${f.srcIp}`) });
  const stream = pcapStream([
    { at: T0, data: sll2(discover('02:00:00:00:00:0a'), 3, 1) },
    { at: T0 + 1, data: sll2(discover('02:00:00:00:00:0b'), 4, 1) },
    { at: T0 + 2, data: sll2(discover('02:00:00:00:00:0c'), 4, 4) },
    { at: T0 + 3, data: sll2(dnsAnswer, 3, 4) },
    { at: T0 + 4, data: sll2(dnsQuery, 3, 0) },
  ], { linktype: LINKTYPE.LINUX_SLL2 });
  hub.push(stream.subarray(0, 77), 11);
  hub.push(stream.subarray(77), 11);
  t.deepEqual(got, [
    'dhcp eth1 02:00:00:00:00:0a',
    'dhcp eth2 02:00:00:00:00:0b', 'ports eth2 02:00:00:00:00:0b',
    'dhcp eth2 02:00:00:00:00:0c',
    'dns eth1 192.168.1.1',
  ]);
  t.is(reads, 1);
  // eth2 re-created: a new index. The first miss re-reads the table; the frame is delivered.
  table = new Map([[3, 'eth1'], [9, 'eth2']]);
  now += 5000;
  got.length = 0;
  hub.push(pcapStream([{ at: T0 + 10, data: sll2(discover('02:00:00:00:00:0d'), 9, 1) }], { linktype: LINKTYPE.LINUX_SLL2 }), 12);
  t.deepEqual(got, ['dhcp eth2 02:00:00:00:00:0d', 'ports eth2 02:00:00:00:00:0d']);
  t.like(hub.counters(), { records: 6, frames: 6, kernelDrops: 0 });
});
