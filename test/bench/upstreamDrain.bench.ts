// Benchmark: 10,000 alerts queued in the outbox during an outage drain to a real rsyslog (the
// reference collector config, in the lab's wan namespace) at what share of the rate of a plain
// loop writing the same messages to the same rsyslog over the same transport, measured in the
// same run. Both are timed until the collector's file holds every message. The issue asks for
// a ratio ≥ 0.5. Usage: npx tsx test/bench/upstreamDrain.bench.ts [--n 10000] [--rounds 2] [--transports tls,relp]
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLab } from '../lab/lab.js';
import { makeTestPki } from '../lab/testPki.js';
import { startSyslogCollector } from '../lab/syslogCollector.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '2' }, transports: { type: 'string', default: 'tls,relp,tcp' } } });
const agent = fileURLToPath(new URL('./upstreamDrainAgent.ts', import.meta.url));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const lab = await createLab({ mode: 'bridge', lanHosts: 1, v6: false });
try {
  const pki = await makeTestPki(join(lab.dir, 'pki'), lab.internet.collector.v4, 'collector.test');
  const col = await startSyslogCollector(lab, { ca: pki.caFile, ...pki.good });
  console.log(`upstream drain: ${values.n} messages, ${values.rounds} rounds, rsyslog ${lab.internet.collector.v4} (reference config)`);
  for (const transport of values.transports.split(',')) {
    const target = join(lab.dir, `${transport}.json`);
    const tlsBits = transport.includes('tls') ? { caPem: pki.caPem, serverName: 'collector.test' } : {};
    await writeFile(target, JSON.stringify({ host: lab.internet.collector.v4, transport, ...(transport === 'relp-tls' ? { port: 2515 } : {}), ...tlsBits }));
    const p = await lab.spawn(lab.ns.box, [process.execPath, '--import', 'tsx', agent, '--target', target, '--out', col.outPath, '--n', values.n, '--rounds', values.rounds, '--tag', transport]);
    await p.waitForOutput((s) => s.includes('RESULT '), { timeoutMs: 600_000, what: `${transport} bench` });
    const line = p.stdout().split('\n').find((l) => l.startsWith('RESULT '))!;
    const r = JSON.parse(line.slice(7)) as { plainMs: number[]; drainMs: number[]; n: number };
    const plainRate = r.n / (median(r.plainMs) / 1000);
    const drainRate = r.n / (median(r.drainMs) / 1000);
    console.log(`${transport.padEnd(8)} plain loop ${Math.round(plainRate)} msg/s (${r.plainMs.map((x) => Math.round(x)).join(', ')} ms), ` +
      `outbox drain ${Math.round(drainRate)} msg/s (${r.drainMs.map((x) => Math.round(x)).join(', ')} ms), ratio ${(drainRate / plainRate).toFixed(2)} (need ≥ 0.50)`);
  }
} finally {
  await lab.destroy();
}
