// Runs inside the lab's box namespace for upstreamDrain.bench.ts: for one transport, times
// (a) a plain loop writing N formatted messages to the collector and (b) the real outbox +
// forwarder draining the same N messages queued during an outage, each until the collector's
// file holds all N. Prints one "RESULT {json}" line.
// Usage: upstreamDrainAgent.ts --target FILE --out COLLECTOR_JSONL --n N --rounds R --tag T
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import { resolveUpstream, UpstreamTargetSchema, type ResolvedUpstream } from '../../firmware/src/config/upstream.js';
import { openDb } from '../../firmware/src/store/db.js';
import { everyMigration } from '../helpers/schema.js';
import { OutboxRepo } from '../../firmware/src/upstream/outboxRepo.js';
import { formatUpstream, OutboxSink } from '../../firmware/src/upstream/sink.js';
import { UpstreamForwarder } from '../../firmware/src/upstream/forwarder.js';
import { connectorFor, peerText } from '../../firmware/src/upstream/connector.js';
import { octetCounted, parseRelpResponse, relpFrame, RelpReader } from '../../firmware/src/upstream/framing.js';
import { tlsOptions } from '../../firmware/src/upstream/tlsTrust.js';
import type { UpstreamMessage } from '../../firmware/src/upstream/contract.js';

const { values } = parseArgs({ options: { target: { type: 'string' }, out: { type: 'string' }, n: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '2' }, tag: { type: 'string', default: 'x' } } });
const u = resolveUpstream(UpstreamTargetSchema.parse(JSON.parse(readFileSync(values.target!, 'utf8'))));
const N = Number(values.n);
const outFile = values.out!;

const message = (i: number): UpstreamMessage => ({
  class: 'alert', msgId: 'blocklist_hit', severity: 2, timestamp: Date.now(),
  sd: [{ id: 'utm@32473', params: { alert: i, kind: 'blocklist_hit', severity: 'danger', action: 'blocked', deviceIp: '192.168.77.101', remoteIp: '203.0.113.66', remotePort: 443 } }],
  text: '危険なサーバーへの接続を止めました。社内の PC 192.168.77.101 が、危険と知られているサーバーに接続しようとしました。',
});

/** Counts lines for `box` appended to the collector file since `from` (reads only new bytes). */
function tailCounter(box: string): () => number {
  let offset = statSync(outFile, { throwIfNoEntry: false })?.size ?? 0;
  let count = 0;
  let carry = '';
  const needle = `"box":"${box}"`;
  return () => {
    const size = statSync(outFile, { throwIfNoEntry: false })?.size ?? 0;
    if (size <= offset) return count;
    const fd = openSync(outFile, 'r');
    const buf = Buffer.alloc(size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    closeSync(fd);
    offset = size;
    const lines = (carry + buf.toString('utf8')).split('\n');
    carry = lines.pop() ?? '';
    for (const l of lines) if (l.includes(needle)) count++;
    return count;
  };
}

async function until(pred: () => boolean): Promise<void> {
  while (!pred()) await new Promise((r) => setTimeout(r, 20));
}

function open(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const secure = u.transport === 'tls' || u.transport === 'relp-tls';
    const s = secure ? tls.connect(tlsOptions(u)) : net.connect({ host: u.host, port: u.port });
    s.once(secure ? 'secureConnect' : 'connect', () => resolve(s));
    s.once('error', reject);
  });
}

async function writeAll(s: net.Socket, frames: Buffer[]): Promise<void> {
  for (const f of frames) if (!s.write(f)) await new Promise((r) => s.once('drain', r));
}

/** The plain loop: one connection, every message written back to back (RELP: then every rsp awaited). */
async function plainLoop(r: ResolvedUpstream, box: string): Promise<number> {
  const count = tailCounter(box);
  const payloads = Array.from({ length: N }, (_, i) => formatUpstream(message(i), i + 1, box));
  const t0 = performance.now();
  const s = await open();
  if (r.transport === 'relp' || r.transport === 'relp-tls') {
    const reader = new RelpReader();
    let ok = 0;
    s.on('data', (d: Buffer) => { for (const f of reader.push(d)) if (f.command === 'rsp' && parseRelpResponse(f.data).code === 200) ok++; });
    s.write(relpFrame(1, 'open', 'relp_version=0\nrelp_software=bench,1,-\ncommands=syslog'));
    await until(() => ok >= 1);
    await writeAll(s, payloads.map((p, i) => relpFrame(i + 2, 'syslog', p)));
    await until(() => ok >= N + 1);
  } else {
    await writeAll(s, payloads.map((p) => octetCounted(p)));
  }
  s.end();
  await until(() => count() >= N);
  const ms = performance.now() - t0;
  s.destroy();
  return ms;
}

/** The real path: N messages queued while the collector was unreachable, then drained. */
async function drain(r: ResolvedUpstream, box: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'utm-drain-'));
  try {
    const db = openDb(join(dir, 'utm.db'), everyMigration);
    const outbox = new OutboxRepo(db);
    const sink = new OutboxSink({ outbox, deviceId: box, now: Date.now, maxMessages: 50_000, maxBytes: 1 << 28 });
    for (let i = 0; i < N; i++) sink.enqueue(message(i));
    const count = tailCounter(box);
    const fwd = new UpstreamForwarder({ outbox, sink, connect: connectorFor(r, Date.now), transport: r.transport, peer: peerText(r), now: Date.now });
    const t0 = performance.now();
    fwd.start();
    await until(() => outbox.pending().count === 0 && count() >= N);
    const ms = performance.now() - t0;
    await fwd.stop();
    db.close();
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const plain: number[] = [];
const fwd: number[] = [];
for (let k = 0; k < Number(values.rounds); k++) {
  plain.push(await plainLoop(u, `plain-${values.tag}-${k}`));
  fwd.push(await drain(u, `drain-${values.tag}-${k}`));
}
process.stdout.write(`RESULT ${JSON.stringify({ transport: u.transport, n: N, plainMs: plain, drainMs: fwd })}\n`);
process.exit(0);
