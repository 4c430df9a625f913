// A box's upstream half on its own, for the lab: opens (or reopens) an outbox database, queues
// `--count` numbered messages (`--burst` at a time every `--every` ms) through the real sink,
// and runs the real forwarder to the collector in `--target` (a JSON file: the provisioning
// bundle's upstream object). Prints "STATUS {json}" (UpstreamStatus, plus the forwarder's
// counters and the messages left to raise) every 200 ms.
// Usage: upstreamBox.ts --db FILE --target FILE [--count N] [--burst K] [--every MS] [--device ID]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { OutboxRepo } from '../../../firmware/src/upstream/outboxRepo.js';
import { OutboxSink } from '../../../firmware/src/upstream/sink.js';
import { UpstreamForwarder } from '../../../firmware/src/upstream/forwarder.js';
import { connectorFor, peerText } from '../../../firmware/src/upstream/connector.js';
import { resolveUpstream, UpstreamTargetSchema } from '../../../firmware/src/config/upstream.js';
import { exitWithParent } from './common.js';

const { values } = parseArgs({ options: {
  db: { type: 'string' }, target: { type: 'string' }, count: { type: 'string', default: '0' }, burst: { type: 'string', default: '50' },
  every: { type: 'string', default: '20' }, device: { type: 'string', default: 'box-test-0001' }, 'backoff-max': { type: 'string', default: '4000' },
  'max-messages': { type: 'string', default: '50000' },
} });
if (!values.db || !values.target) throw new RangeError('--db and --target are required');
const u = resolveUpstream(UpstreamTargetSchema.parse(JSON.parse(readFileSync(values.target, 'utf8'))));
const db = openDb(values.db, everyMigration);
const outbox = new OutboxRepo(db);
const sink = new OutboxSink({ outbox, deviceId: values.device, now: Date.now, maxMessages: Number(values['max-messages']), maxBytes: 1 << 28 });
const fwd = new UpstreamForwarder({
  outbox, sink, connect: connectorFor(u, Date.now, { finishTimeoutMs: 5000, connectTimeoutMs: 3000 }), transport: u.transport, peer: peerText(u), now: Date.now,
  backoffBaseMs: 200, backoffMaxMs: Number(values['backoff-max']),
});
fwd.start();
let left = Number(values.count);
const burst = Number(values.burst);
const filler = setInterval(() => {
  for (let i = 0; i < burst && left > 0; i++, left--) {
    sink.enqueue({ class: 'alert', msgId: 'lab_test', severity: 4, timestamp: Date.now(), sd: [{ id: 'utm@32473', params: { kind: 'lab_test', left } }], text: `lab message, ${left} to go` });
  }
  if (left <= 0) clearInterval(filler);
}, Number(values.every));
const status = setInterval(() => process.stdout.write(`STATUS ${JSON.stringify({ ...fwd.status(), counters: fwd.counters, left })}\n`), 200);
exitWithParent(() => {
  clearInterval(status);
  clearInterval(filler);
});
