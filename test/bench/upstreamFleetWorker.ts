// Runs inside the lab's box namespace for upstreamFleet.bench.ts: `--boxes` simulated boxes,
// each with its own outbox (in-memory SQLite), sink and forwarder (product defaults for the
// backoff), all sending to one collector. Each queues `--initial` messages at once, and
// `--second` more when the file `--phase` appears (during the collector's outage). Prints
// "STAT {json}" every 250 ms: messages waiting, and connection attempts/successes since the last line.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveUpstream, UpstreamTargetSchema } from '../../firmware/src/config/upstream.js';
import { openDb } from '../../firmware/src/store/db.js';
import { everyMigration } from '../helpers/schema.js';
import { OutboxRepo } from '../../firmware/src/upstream/outboxRepo.js';
import { OutboxSink } from '../../firmware/src/upstream/sink.js';
import { UpstreamForwarder } from '../../firmware/src/upstream/forwarder.js';
import { connectorFor, peerText } from '../../firmware/src/upstream/connector.js';
import type { Connector } from '../../firmware/src/upstream/link.js';
import type { UpstreamMessage } from '../../firmware/src/upstream/contract.js';

const { values } = parseArgs({ options: {
  target: { type: 'string' }, boxes: { type: 'string' }, first: { type: 'string' }, initial: { type: 'string', default: '5' },
  second: { type: 'string', default: '5' }, phase: { type: 'string' },
} });
const u = resolveUpstream(UpstreamTargetSchema.parse(JSON.parse(readFileSync(values.target!, 'utf8'))));
const base = connectorFor(u, Date.now, { connectTimeoutMs: 10_000, finishTimeoutMs: 20_000 });
let attempts: number[] = [];
let oks: number[] = [];
const connect: Connector = async (ev) => {
  attempts.push(Date.now());
  const l = await base(ev);
  oks.push(Date.now());
  return l;
};
const msg = (i: number): UpstreamMessage => ({ class: 'heartbeat', msgId: 'heartbeat', severity: 6, timestamp: Date.now(), sd: [{ id: 'utmFleet@32473', params: { i } }], text: `fleet message ${i}` });
const boxes = Array.from({ length: Number(values.boxes) }, (_, i) => {
  const db = openDb(':memory:', everyMigration);
  const outbox = new OutboxRepo(db);
  const sink = new OutboxSink({ outbox, deviceId: `fleet-${Number(values.first) + i}`, now: Date.now, maxMessages: 1000, maxBytes: 1 << 20 });
  const fwd = new UpstreamForwarder({ outbox, sink, connect, transport: u.transport, peer: peerText(u), now: Date.now });
  return { outbox, sink, fwd };
});
for (const b of boxes) b.fwd.start();
for (const b of boxes) for (let i = 0; i < Number(values.initial); i++) b.sink.enqueue(msg(i));
let phase2 = false;
setInterval(() => {
  if (!phase2 && existsSync(values.phase!)) {
    phase2 = true;
    for (const b of boxes) for (let i = 0; i < Number(values.second); i++) b.sink.enqueue(msg(1000 + i));
  }
  const waiting = boxes.reduce((s, b) => s + b.outbox.pending().count, 0);
  process.stdout.write(`STAT ${JSON.stringify({ waiting, phase2, attempts, oks })}\n`);
  attempts = [];
  oks = [];
}, 250);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
