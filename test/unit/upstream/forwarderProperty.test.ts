// Property: under any schedule of refused connections, links that break after some writes
// (with or without those writes reaching the collector), acknowledgements that stop, batches
// whose close handshake fails, and messages queued at any moment, the forwarder delivers every
// sequence number at least once, each connection carries consecutive numbers starting no later
// than just after the last confirmed one, and first arrivals are in sequence order.
import test from 'ava';
import fc from 'fast-check';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { OutboxRepo } from '../../../firmware/src/upstream/outboxRepo.js';
import { OutboxSink } from '../../../firmware/src/upstream/sink.js';
import { UpstreamForwarder } from '../../../firmware/src/upstream/forwarder.js';
import { UpstreamLinkError, type Connector, type Link, type LinkEvents } from '../../../firmware/src/upstream/link.js';

interface Plan { refuse: boolean; breakAfter: number | null; reached: number; finishFails: boolean }

const planArb = fc.record({ refuse: fc.boolean(), breakAfter: fc.option(fc.nat(40), { nil: null }), reached: fc.nat(40), finishFails: fc.boolean() });

/** A collector and links that follow `plans` (then behave); records what arrives per connection. */
function fakeWorld(kind: 'acked' | 'batch', plans: Plan[]) {
  const connections: number[][] = [];
  const confirmedAtOpen: number[] = [];
  let attempt = 0;
  let lastConfirmed = 0;
  const connect: Connector = async (ev: LinkEvents) => {
    const plan = plans[attempt++] ?? { refuse: false, breakAfter: null, reached: 0, finishFails: false };
    await new Promise((r) => setImmediate(r));
    if (plan.refuse) throw new UpstreamLinkError('refused', 'ECONNREFUSED');
    const got: number[] = [];
    connections.push(got);
    confirmedAtOpen.push(lastConfirmed);
    let writes = 0;
    let broken = false;
    let pending: number[] = []; // written, fate not decided yet
    let lastWritten = 0;
    // A link that fails delivers only the first `reached` of what it had not settled.
    const breakNow = (): void => {
      if (broken) return;
      broken = true;
      got.push(...pending.slice(0, plan.reached));
      pending = [];
      setImmediate(() => ev.closed(new UpstreamLinkError('broken', 'ECONNRESET')));
    };
    const link: Link = {
      kind, peerCertSha256: null,
      room: () => (broken ? 0 : 8),
      write(seq) {
        if (broken) return;
        writes++;
        pending.push(seq);
        lastWritten = seq;
        if (plan.breakAfter !== null && writes > plan.breakAfter) return breakNow();
        if (kind === 'acked') {
          setImmediate(() => {
            if (broken || pending[0] !== seq) return;
            got.push(pending.shift()!);
            lastConfirmed = seq;
            ev.confirmed(seq);
            ev.progress();
          });
        }
      },
      async finish() {
        if (broken || plan.finishFails) {
          breakNow();
          throw new UpstreamLinkError('broken', 'ECONNRESET');
        }
        got.push(...pending);
        pending = [];
        if (lastWritten) lastConfirmed = lastWritten;
      },
      destroy() {
        if (!broken) {
          broken = true;
          got.push(...pending.slice(0, plan.reached));
          pending = [];
        }
      },
    };
    return link;
  };
  return { connect, connections, confirmedAtOpen };
}

for (const kind of ['acked', 'batch'] as const) {
  test(`property (${kind} links): every number at least once, in order, under any connect/fail schedule`, async (t) => {
    await fc.assert(
      fc.asyncProperty(fc.array(planArb, { maxLength: 12 }), fc.array(fc.record({ at: fc.nat(30), n: fc.integer({ min: 1, max: 15 }) }), { minLength: 1, maxLength: 6 }), async (plans, bursts) => {
        const db = openDb(':memory:', everyMigration);
        const outbox = new OutboxRepo(db);
        const sink = new OutboxSink({ outbox, deviceId: 'p', now: Date.now, maxMessages: 100_000, maxBytes: 1 << 30 });
        const world = fakeWorld(kind, plans);
        const fwd = new UpstreamForwarder({ outbox, sink, connect: world.connect, transport: 'relp', peer: 'x', now: Date.now, random: () => 0.5,
          backoffBaseMs: 2, backoffMaxMs: 4, lingerMs: 1, batchMaxMs: 5 });
        fwd.start();
        const total = bursts.reduce((s, b) => s + b.n, 0);
        await Promise.all(bursts.map((b) => new Promise<void>((r) => setTimeout(() => {
          for (let i = 0; i < b.n; i++) sink.enqueue({ class: 'alert', msgId: 'x', severity: 4, timestamp: 0, sd: [], text: 'x' });
          r();
        }, b.at))));
        const deadline = Date.now() + 10_000;
        while (outbox.pending().count > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
        await fwd.stop();
        db.close();
        const all = new Set(world.connections.flat());
        for (let s = 1; s <= total; s++) if (!all.has(s)) return false;
        let maxFirst = 0;
        for (const [i, c] of world.connections.entries()) {
          if (c.length && c[0]! > world.confirmedAtOpen[i]! + 1) return false; // a new link starts right after the confirmed point
          for (let j = 1; j < c.length; j++) if (c[j] !== c[j - 1]! + 1) return false; // consecutive within a connection
          for (const s of c) if (s > maxFirst + 1) return false; else maxFirst = Math.max(maxFirst, s); // first arrivals in order
        }
        return true;
      }),
      { numRuns: 60 },
    );
    t.pass();
  });
}
