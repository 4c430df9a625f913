// stop() leaves nothing running even when the collector hangs mid-handshake or mid-close.
import test from 'ava';
import net from 'node:net';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { OutboxRepo } from '../../../firmware/src/upstream/outboxRepo.js';
import { OutboxSink } from '../../../firmware/src/upstream/sink.js';
import { UpstreamForwarder } from '../../../firmware/src/upstream/forwarder.js';
import { connectorFor } from '../../../firmware/src/upstream/connector.js';
import { resolveUpstream, UpstreamTargetSchema } from '../../../firmware/src/config/upstream.js';

for (const transport of ['tls', 'tcp', 'relp'] as const) {
  test(`${transport}: stop() returns promptly while the collector accepts and then says nothing`, async (t) => {
    const sockets: net.Socket[] = [];
    const server = net.createServer({ allowHalfOpen: true }, (s) => { sockets.push(s); s.on('data', () => undefined); }); // reads, never answers, never closes its side (a hung collector)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.teardown(() => { for (const s of sockets) s.destroy(); server.close(); });
    const port = (server.address() as net.AddressInfo).port;
    const u = resolveUpstream(UpstreamTargetSchema.parse({ host: '127.0.0.1', port, transport, ...(transport === 'tls' ? { pinSha256: ['ab'.repeat(32)] } : {}) }));
    const db = openDb(':memory:', everyMigration);
    const outbox = new OutboxRepo(db);
    const sink = new OutboxSink({ outbox, deviceId: 'b', now: Date.now, maxMessages: 100, maxBytes: 1 << 20 });
    const fwd = new UpstreamForwarder({ outbox, sink, connect: connectorFor(u, Date.now, { connectTimeoutMs: 60_000, finishTimeoutMs: 60_000 }), transport, peer: 'x', now: Date.now });
    fwd.start();
    sink.enqueue({ class: 'alert', msgId: 'x', severity: 4, timestamp: 0, sd: [], text: 'x' });
    await new Promise((r) => setTimeout(r, 300)); // connecting (tls, relp) or waiting for the close (tcp)
    await fwd.stop(500); // ava's 10 s test timeout fails this if stop waits for the 60 s timeouts
    t.is(outbox.pending().count, 1, 'nothing was confirmed by a collector that never answered');
    t.false(fwd.status().connected && transport !== 'tcp');
  });
}
