// Benchmark of dnsHintOf, which every DNS query on the office ports reaches (devices/dnsLookups.ts):
// the index by label suffix against the scan of the rules it replaced (the baseline, measured in
// the same run), with the shipped table and with one ten times its size.
// Run: npx tsx test/bench/dnsHints.bench.ts
import { performance } from 'node:perf_hooks';
import { loadFingerprints } from '../../firmware/src/devices/fingerprintFile.js';
import { dnsHintOf, type DnsHint, type FingerprintTable } from '../../firmware/src/devices/fingerprints.js';

const NAMES = ['www.google.com', 'outlook.office365.com', 'www.msftconnecttest.com', 'graph.facebook.com', 'a.b.c.d.example.co.jp', 'captive.apple.com', 'slack.com', 'ctldl.windowsupdate.com.'];

/** The former dnsHintOf: every hint's every name, per query. */
function scan(table: FingerprintTable, name: string): DnsHint | null {
  const n = name.toLowerCase().replace(/\.$/, '');
  return table.dnsHints.find((h) => h.names.some((x) => n === x || n.endsWith(`.${x}`))) ?? null;
}

function time(label: string, n: number, fn: (i: number) => unknown): number {
  for (let i = 0; i < 5000; i++) fn(i); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  const us = ((performance.now() - t0) * 1000) / n;
  console.log(`${label.padEnd(44)} ${us.toFixed(3).padStart(8)} µs/query`);
  return us;
}

const shipped = loadFingerprints();
// Ten times the rules: each hint's names under sixty more parent domains.
const bigHints = [...shipped.dnsHints, ...Array.from({ length: 60 }, (_, k) => {
  const h = shipped.dnsHints[k % shipped.dnsHints.length]!;
  return { ...h, names: h.names.map((x) => `x${k}.${x}`) };
})];
const big: FingerprintTable = { ...shipped, dnsHints: bigHints, dnsIndex: new Map(bigHints.flatMap((h) => h.names.map((x) => [x, h] as const)).reverse()) };

for (const [what, table] of [[`shipped rules (${shipped.dnsHints.length} hints)`, shipped], [`ten times the rules (${big.dnsHints.length} hints)`, big]] as const) {
  for (const n of NAMES) if ((dnsHintOf(table, n)?.id ?? null) !== (scan(table, n)?.id ?? null)) throw new Error(`index and scan disagree on ${n}`);
  console.log(what);
  const base = time('  baseline: scan of the rules', 300_000, (i) => scan(table, NAMES[i % NAMES.length]!));
  const idx = time('  dnsHintOf: index by label suffix', 300_000, (i) => dnsHintOf(table, NAMES[i % NAMES.length]!));
  console.log(`  ratio index/scan ${(idx / base).toFixed(2)}`);
}
