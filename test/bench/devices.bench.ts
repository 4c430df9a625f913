// Benchmark of the device pipeline's pure core: pcap → DHCP decode → fingerprint/classify →
// inventory reducer, at 1,000 (and 5,000) devices and a burst of 100 DHCP packets per second.
// Prints absolute numbers and ratios against a baseline measured in the same run
// (JSON.parse of a ulogd2-sized datagram, our ingest reference). Run: npx tsx test/bench/devices.bench.ts
import { performance } from 'node:perf_hooks';
import { decodeDhcp } from '../../firmware/src/devices/dhcp.js';
import { loadFingerprints } from '../../firmware/src/devices/fingerprintFile.js';
import { matchFingerprint } from '../../firmware/src/devices/fingerprints.js';
import { classify } from '../../firmware/src/devices/classify.js';
import { observationFromFrame } from '../../firmware/src/devices/fromDhcp.js';
import { observe } from '../../firmware/src/devices/inventory.js';
import { createOuiLookup } from '../../firmware/src/devices/mac.js';
import { isLocallyAdministered } from '../../firmware/src/net/mac.js';
import { DEFAULT_POLICY, emptyInventory, type InventoryState } from '../../firmware/src/devices/model.js';
import { createPcapParser } from '../../firmware/src/pcap/pcap.js';
import { clientRequest, ethIpv4Udp, pcapStream } from '../unit/devices/dhcpBuilder.js';

const table = loadFingerprints();
const PRLS = [
  [1, 121, 3, 6, 15, 108, 114, 119, 252], [1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 114, 108],
  [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252], [1, 15, 3, 6, 44, 46, 47, 31, 33, 249, 43],
  [1, 3, 6, 12, 15, 28, 42, 40], [9, 8, 7],
];
const mac = (i: number, random: boolean) => `${random ? '5a' : '00'}:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:01`;
const packet = (i: number) => clientRequest({ mac: mac(i, i % 2 === 0), prl: PRLS[i % PRLS.length]!, hostname: `host-${i}`, vendorClass: i % 3 === 0 ? 'MSFT 5.0' : undefined, clientId: [1, 0, 0, (i >> 16) & 255, (i >> 8) & 255, i & 255, 1] });

function time(label: string, n: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 2000); i++) fn(i); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  const us = ((performance.now() - t0) * 1000) / n;
  console.log(`${label.padEnd(46)} ${us.toFixed(2).padStart(9)} µs/op`);
  return us;
}

const datagram = JSON.stringify({ 'oob.prefix': 'utm-drop', 'src_ip': '192.0.2.10', 'dest_ip': '203.0.113.5', 'ip.protocol': 6, 'src_port': 51234, 'dest_port': 443, 'oob.in': 'br0', 'oob.out': 'eth0', 'mac.saddr.str': '00:11:22:33:44:55', timestamp: '2026-11-26T13:00:00.000000' });
const base = time('baseline: JSON.parse ulogd2-sized datagram', 200_000, () => { JSON.parse(datagram); });

const pkts = Array.from({ length: 1000 }, (_, i) => packet(i));
const dec = time('decodeDhcp', 100_000, (i) => { decodeDhcp(pkts[i % 1000]!); });
const frames = pkts.map((p, i) => ({ at: 1_764_100_000_000 + i, data: ethIpv4Udp(p, { src: mac(i, i % 2 === 0) }) }));
const stream = pcapStream(frames);
const pc = time('pcap push (per record, 1000-record stream)', 200, () => { createPcapParser().push(stream); }) / 1000;
console.log(`${'  → pcap per record'.padEnd(46)} ${pc.toFixed(2).padStart(9)} µs/op`);
const decoded = pkts.map((p) => { const r = decodeDhcp(p); if (!r.ok) throw new Error(r.reason); return r.message; });
const cls = time('matchFingerprint + classify', 50_000, (i) => {
  const m = decoded[i % 1000]!;
  const match = matchFingerprint(table, { prl: m.prl, vendorClass: m.vendorClass, vendor: null });
  classify(table, { match, hostname: m.hostname, vendor: null, randomised: isLocallyAdministered(m.chaddr!), vendorClass: m.vendorClass });
});

const T0 = 1_764_100_000_000; const AFTER = T0 + 8 * 86_400_000;
const oui = createOuiLookup();
const tOui0 = performance.now(); oui.vendorOf('f0:d1:a9:00:00:01'); const ouiLoadMs = performance.now() - tOui0;
const rssBeforeInv = process.memoryUsage();
function build(n: number): InventoryState {
  let s = emptyInventory(T0);
  for (let i = 0; i < n; i++) {
    const r = observationFromFrame({ at: T0 + i, srcMac: mac(i, i % 2 === 0), srcIp: '0.0.0.0', dstIp: '255.255.255.255', srcPort: 68, dstPort: 67, vlan: null, payload: pkts[i % 1000]! }, (m) => oui.vendorOf(m));
    if (r.ok) s = observe(s, { ...r.observation, mac: mac(i, i % 2 === 0) }, T0 + i, DEFAULT_POLICY, table).state;
  }
  return s;
}
const s1000 = build(1000);
const s5000 = build(5000);
const heapAfter = process.memoryUsage();
const obsFor = (i: number, at: number) => {
  const r = observationFromFrame({ at, srcMac: mac(i, i % 2 === 0), srcIp: '0.0.0.0', dstIp: '255.255.255.255', srcPort: 68, dstPort: 67, vlan: null, payload: pkts[i % 1000]! }, (m) => oui.vendorOf(m));
  if (!r.ok) throw new Error(r.reason); return r.observation;
};
const obs1000 = time('observe, known device, 1000 devices', 20_000, (i) => { observe(s1000, obsFor(i % 1000, AFTER + i), AFTER + i, DEFAULT_POLICY, table); });
const obs5000 = time('observe, known device, 5000 devices', 5_000, (i) => { observe(s5000, obsFor(i % 1000, AFTER + i), AFTER + i, DEFAULT_POLICY, table); });
const newDev = time('observe, NEW random device (link scan), 1000', 5_000, (i) => { observe(s1000, { ...obsFor(i % 1000, AFTER + i), mac: mac(100_000 + i, true) }, AFTER + i, DEFAULT_POLICY, table); });

// Burst: 60 s at 100 DHCP packets/s over 1000 devices (10% new), end to end from pcap bytes.
const burstFrames = Array.from({ length: 6000 }, (_, i) => {
  const dev = i % 10 === 0 ? 2000 + i : i % 1000;
  return { at: AFTER + i * 10, data: ethIpv4Udp(packet(dev), { src: mac(dev, dev % 2 === 0) }) };
});
const burst = pcapStream(burstFrames);
const parser = createPcapParser();
let s = s1000; let findings = 0;
const cpu0 = process.cpuUsage(); const w0 = performance.now();
for (let off = 0; off < burst.length; off += 4096) {
  for (const f of parser.push(burst.subarray(off, off + 4096))) {
    const r = observationFromFrame(f, (m) => oui.vendorOf(m));
    if (!r.ok) continue;
    const step = observe(s, r.observation, f.at, DEFAULT_POLICY, table);
    s = step.state; findings += step.findings.length;
  }
}
const cpu = process.cpuUsage(cpu0); const wall = performance.now() - w0;
const cpuPerPkt = (cpu.user + cpu.system) / 6000;
const mem = process.memoryUsage();

// Latency (compute only) from a device's first DHCP packet bytes to its finding. An old-PC or
// phone alert may wait for evidence (devices/alertHold.ts); without the window, the compute alone.
const prompt = { ...DEFAULT_POLICY, evidenceMs: 0 };
const first = pcapStream([{ at: AFTER + 999_999, data: ethIpv4Udp(packet(777_777), { src: mac(777_777, false) }) }]);
const l0 = performance.now();
const p2 = createPcapParser(); let got = 0;
for (const f of p2.push(first)) { const r = observationFromFrame(f, (m) => oui.vendorOf(m)); if (r.ok) got += observe(s1000, r.observation, f.at, prompt, table).findings.length; }
const latencyUs = (performance.now() - l0) * 1000;

console.log('');
console.log(`ratio to baseline: decode ${(dec / base).toFixed(1)}x, pcap/record ${(pc / base).toFixed(1)}x, classify ${(cls / base).toFixed(1)}x, observe@1000 ${(obs1000 / base).toFixed(1)}x, observe@5000 ${(obs5000 / base).toFixed(1)}x, new device@1000 ${(newDev / base).toFixed(1)}x`);
console.log(`burst 6000 pkts (100/s for 60 s of traffic, 1000 devices + 600 new): CPU ${cpuPerPkt.toFixed(1)} µs/packet = ${(cpuPerPkt * 100 / 1e4).toFixed(3)}% of one core at 100 pkt/s; wall ${wall.toFixed(0)} ms; findings ${findings}; inventory ${s.devices.size}`);
console.log(`first DHCP packet → finding (compute only): ${latencyUs.toFixed(0)} µs (findings: ${got})`);
console.log(`OUI registry first load: ${ouiLoadMs.toFixed(0)} ms`);
console.log(`memory: RSS ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heapUsed ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB; heap growth for 1000+5000-device inventories ≈ ${((heapAfter.heapUsed - rssBeforeInv.heapUsed) / 2 ** 20).toFixed(1)} MiB`);
