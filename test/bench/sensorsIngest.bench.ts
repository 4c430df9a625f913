// Benchmark: ulogd2 datagram ingest. Prints the rate of UdpEventListener's full per-datagram
// path (length check, JSON.parse, dispatch, zod-validated NFLOG parse, address
// normalisation) as a ratio of a raw JSON.parse-only baseline over the same real ulogd2
// samples, measured in this run. Run: node --import tsx test/bench/sensorsIngest.bench.ts
import { readFileSync } from 'node:fs';
import { UdpEventListener } from '../../firmware/src/sensors/listener.js';
import { ulogdParsers } from '../../firmware/src/sensors/parsers.js';

const load = (f: string): Buffer[] =>
  readFileSync(new URL(`../fixtures/ulogd/${f}`, import.meta.url), 'utf8')
    .split('\n').filter((l) => l !== '').map((l) => Buffer.from(l));
const packets = load('nflog-packets.jsonl');
const v4 = packets.filter((b) => !b.includes('2001:db8'));
const v6 = packets.filter((b) => b.includes('2001:db8'));
const flows = load('nfct-destroy.jsonl');
const N = Number(process.env.N ?? 300_000);

function rate(name: string, data: Buffer[], fn: (b: Buffer) => void): number {
  for (let i = 0; i < 20_000; i++) fn(data[i % data.length] as Buffer); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn(data[i % data.length] as Buffer);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const r = N / s;
  console.log(`${name.padEnd(44)} ${(r / 1000).toFixed(1).padStart(8)} k/s`);
  return r;
}

let sink = 0;
const raw = (b: Buffer): void => { sink += Object.keys(JSON.parse(b.toString('utf8')) as object).length; };
const listener = new UdpEventListener({
  port: 0, parsers: ulogdParsers(), now: () => 0, onEvent: () => { sink++; },
});
const full = (b: Buffer): void => listener.handleDatagram(b, '127.0.0.1');

// Alternate baseline and ours in rounds and report the median ratio: this machine is shared
// and loaded, so a single pair of runs can differ by 2x for reasons unrelated to the code.
const ROUNDS = Number(process.env.ROUNDS ?? 5);
for (const [label, data] of [['NFLOG IPv4 packets', v4], ['NFLOG IPv6 packets', v6], ['NFCT flows (placeholder parser)', flows]] as const) {
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const base = rate(`baseline JSON.parse: ${label}`, data, raw);
    const ours = rate(`listener full path: ${label}`, data, full);
    ratios.push(ours / base);
  }
  ratios.sort((a, b) => a - b);
  console.log(`median ratio ${label}: ${ratios[Math.floor(ratios.length / 2)]?.toFixed(2)} (rounds: ${ratios.map((x) => x.toFixed(2)).join(' ')})\n`);
}
const c = listener.counters();
console.log(`dispatched ${c.dispatched}, malformed ${JSON.stringify(c.malformed)} (sink ${sink})`);
