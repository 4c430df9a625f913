import test from 'ava';
import fc from 'fast-check';
import { createPcapParser, LINKTYPE, type DhcpFrame } from '../../../firmware/src/pcap/pcap.js';
import { clientRequest, ethIpv4Udp, pcapStream } from '../devices/dhcpBuilder.js';

const T0 = 1_764_100_000_123;
const dhcpA = clientRequest({ mac: '02:11:22:33:44:55', prl: [1, 121, 3, 6, 15, 108, 114, 119, 252], hostname: 'Taros-iPhone' });
const dhcpB = clientRequest({ mac: '00:0c:29:aa:bb:cc', prl: [1, 15, 3, 6, 44, 46, 47, 31, 33, 249, 43], vendorClass: 'MSFT 5.0' });
const frames = [
  { at: T0, data: ethIpv4Udp(dhcpA, { src: '02:11:22:33:44:55' }) },
  { at: T0 + 5, data: ethIpv4Udp(new Uint8Array([1, 2, 3]), { src: '00:00:5e:00:53:01', srcPort: 5353, dstPort: 5353 }) },
  { at: T0 + 10, data: ethIpv4Udp(dhcpB, { src: '00:0c:29:aa:bb:cc', vlan: 42 }) },
];

function collect(stream: Uint8Array, cuts: number[]): { out: DhcpFrame[]; p: ReturnType<typeof createPcapParser> } {
  const p = createPcapParser();
  const out: DhcpFrame[] = [];
  let prev = 0;
  for (const c of [...cuts, stream.length]) { out.push(...p.push(stream.subarray(prev, c))); prev = c; }
  return { out, p };
}

for (const [le, nano] of [[true, false], [false, false], [true, true], [false, true]] as const) {
  test(`reads ${le ? 'little' : 'big'}-endian ${nano ? 'nanosecond' : 'microsecond'} streams`, (t) => {
    const { out, p } = collect(pcapStream(frames, { le, nano }), []);
    t.is(out.length, 2);
    t.is(out[0]!.srcMac, '02:11:22:33:44:55');
    t.is(out[0]!.at, T0);
    t.is(out[0]!.srcIp, '0.0.0.0');
    t.deepEqual(Array.from(out[0]!.payload), Array.from(dhcpA));
    t.is(out[1]!.vlan, 42);
    t.is(out[1]!.at, T0 + 10);
    t.like(p.counters(), { records: 3, frames: 2, skipped: 1, corrupt: 0 });
  });
}

test('a stream split at every byte boundary yields the same frames', (t) => {
  const s = pcapStream(frames);
  const whole = collect(s, []).out;
  for (let i = 1; i < s.length; i++) {
    const { out } = collect(s, [i]);
    t.deepEqual(out, whole, `split at ${i}`);
  }
});

test('property: arbitrary chunking gives identical output', (t) => {
  const s = pcapStream(frames, { le: false, nano: true });
  const whole = collect(s, []).out;
  fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 1, max: s.length - 1 }), { maxLength: 20 }), (cuts) => {
    const { out } = collect(s, [...cuts].sort((a, b) => a - b));
    return JSON.stringify(out) === JSON.stringify(whole);
  }));
  t.pass();
});

test('a corrupt record length is counted and the reader resyncs on the next record', (t) => {
  const s = pcapStream(frames);
  const bad = s.slice();
  // Record 2 header starts after global header + record 1; set its incl_len absurdly large.
  const r2 = 24 + 16 + frames[0]!.data.length;
  new DataView(bad.buffer).setUint32(r2 + 8, 0x7fffffff, true);
  const { out, p } = collect(bad, []);
  t.is(p.counters().corrupt, 1);
  t.true(p.counters().resyncBytes > 0);
  t.deepEqual(out.map((f) => f.srcMac), ['02:11:22:33:44:55', '00:0c:29:aa:bb:cc']);
});

test('an unknown magic is counted and nothing is yielded', (t) => {
  const p = createPcapParser();
  t.deepEqual(p.push(new Uint8Array(64).fill(7)), []);
  t.is(p.counters().badHeader, 1);
});

test('records cut by snaplen are counted, not decoded', (t) => {
  const data = ethIpv4Udp(dhcpA, { src: '02:11:22:33:44:55' });
  const { out, p } = collect(pcapStream([{ at: T0, data: data.subarray(0, 60), orig: data.length }]), []);
  t.is(out.length, 0);
  t.is(p.counters().truncated, 1);
});

test('IPv4 fragments and non-UDP are skipped', (t) => {
  const { out, p } = collect(pcapStream([
    { at: T0, data: ethIpv4Udp(dhcpA, { src: '02:11:22:33:44:55', fragOffset: 0x2000 }) },
    { at: T0, data: ethIpv4Udp(dhcpA, { src: '02:11:22:33:44:55', proto: 6 }) },
  ]), []);
  t.is(out.length, 0);
  t.is(p.counters().skipped, 2);
});

test('LINUX_SLL2 and LINUX_SLL link types', (t) => {
  const eth = ethIpv4Udp(dhcpA, { src: '02:11:22:33:44:55' });
  const ipPart = eth.subarray(14);
  const sll2 = Uint8Array.from([0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0, ...ipPart]);
  const a = collect(pcapStream([{ at: T0, data: sll2 }], { linktype: LINKTYPE.LINUX_SLL2 }), []).out;
  t.is(a[0]?.srcMac, '02:11:22:33:44:55');
  const sll = Uint8Array.from([0, 0, 0, 1, 0, 6, 2, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0, 0x08, 0x00, ...ipPart]);
  const b = collect(pcapStream([{ at: T0, data: sll }], { linktype: LINKTYPE.LINUX_SLL }), []).out;
  t.is(b[0]?.srcMac, '02:11:22:33:44:55');
});

test('property: random bytes after a valid header never throw and buffering stays bounded', (t) => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 20 }), (chunks) => {
    const p = createPcapParser({ maxBuffer: 4096 });
    p.push(pcapStream([]));
    for (const c of chunks) p.push(c);
    return true;
  }), { numRuns: 300 });
  t.pass();
});

test('a chunk larger than the buffer limit is dropped and counted, and the reader goes on', (t) => {
  const p = createPcapParser({ maxBuffer: 4096 });
  p.push(pcapStream([]));
  t.deepEqual(p.push(new Uint8Array(2 << 20)), []);
  t.is(p.counters().overflows, 1);
  const rest = pcapStream(frames).subarray(24);
  t.is(p.push(rest).length, 2);
});
