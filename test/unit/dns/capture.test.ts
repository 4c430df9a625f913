import test from 'ava';
import { DnsCapture } from '../../../firmware/src/dns/capture.js';
import { answerFor, encodeDns } from '../../helpers/dnsWire.js';
import { ethIpv4Udp, pcapStream } from '../devices/dhcpBuilder.js';

const T0 = 1_764_100_000_000;

test('the capture hands on answers (source port 53) with client, server and capture time', (t) => {
  const got: Array<{ client: string; server: string; at: number; n: number }> = [];
  const cap = new DnsCapture({ ifaces: ['eth1'], now: () => T0, onHealth: () => undefined, onAnswer: (p, client, at, server) => got.push({ client, server, at, n: p.length }) });
  const answer = answerFor('c2.example', ['198.51.100.66']);
  const query = encodeDns({ qr: false, question: { name: 'c2.example' } });
  const stream = pcapStream([
    { at: T0, data: ethIpv4Udp(query, { src: '02:00:00:00:00:0a', srcIp: '192.168.1.10', dstIp: '192.168.1.1', srcPort: 40000, dstPort: 53 }) },
    { at: T0 + 3, data: ethIpv4Udp(answer, { src: '02:00:00:00:00:01', srcIp: '192.168.1.1', dstIp: '192.168.1.10', srcPort: 53, dstPort: 40000 }) },
    { at: T0 + 4, data: ethIpv4Udp(answer, { src: '02:00:00:00:00:01', srcIp: '192.168.1.1', dstIp: '192.168.1.10', srcPort: 67, dstPort: 68 }) },
  ]);
  cap.push('eth1', stream.subarray(0, 50), 7);
  cap.push('eth1', stream.subarray(50), 7);
  t.deepEqual(got, [{ client: '192.168.1.10', server: '192.168.1.1', at: T0 + 3, n: answer.length }]);
  t.like(cap.status().pcap, { records: 3, frames: 2, skipped: 1 });
});
