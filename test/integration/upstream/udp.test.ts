// UDP (RFC 5426) on a connected socket: the collector host's "port unreachable" counts as a
// failure, so messages raised while the collector is stopped wait and arrive after it returns
// (the 18 lost alerts), in order, numbered. UDP still cannot confirm delivery: a dead
// link beyond the first hop loses datagrams silently; that is why tls and relp exist.
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLab } from '../../lab/lab.js';
import { startUdpCollector } from '../../lab/collector.js';
import { waitFor } from '../../lab/poll.js';
import type { UpstreamStatus } from '../../../firmware/src/upstream/contract.js';

const seqOf = (raw: string): number => Number(/\[utmMsg@32473 seq="(\d+)"/.exec(raw)?.[1]);

test('udp: a refused collector holds messages back; after it returns all 1..N arrive, in order', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1, v6: false });
  t.teardown(() => lab.destroy());
  let collector = await startUdpCollector(lab, { addresses: [lab.internet.collector.v4] });
  const target = join(lab.dir, 'target.json');
  await writeFile(target, JSON.stringify({ host: lab.internet.collector.v4 }));
  const box = await lab.spawnAgent(lab.ns.box, 'upstreamBox', ['--db', join(lab.dir, 'box.db'), '--target', target, '--count', '20', '--burst', '5', '--every', '50', '--device', 'box-udp']);
  t.teardown(() => box.stop());
  const status = (): UpstreamStatus & { left: number } => JSON.parse(box.stdout().trim().split('\n').filter((l) => l.startsWith('STATUS ')).pop()!.slice(7)) as UpstreamStatus & { left: number };
  await waitFor(() => status().lastConfirmedSeq === 20, { what: 'the first 20 sent', timeoutMs: 30_000 });
  await collector.stop();
  // The same agent keeps the database: a second one queues 18 more while the collector is down.
  await box.stop();
  const box2 = await lab.spawnAgent(lab.ns.box, 'upstreamBox', ['--db', join(lab.dir, 'box.db'), '--target', target, '--count', '18', '--burst', '3', '--every', '100', '--device', 'box-udp']);
  t.teardown(() => box2.stop());
  const status2 = (): UpstreamStatus & { left: number } => JSON.parse(box2.stdout().trim().split('\n').filter((l) => l.startsWith('STATUS ')).pop()!.slice(7)) as UpstreamStatus & { left: number };
  await waitFor(() => { try { const s = status2(); return s.left === 0 && /ECONNREFUSED/.test(s.lastError ?? ''); } catch { return false; } }, { what: 'the refusal to count', timeoutMs: 30_000 });
  t.is(status2().lastConfirmedSeq, 20, 'nothing after 20 counts as sent while the collector refuses');
  t.is(status2().queueDepth, 18);
  collector = await startUdpCollector(lab, { addresses: [lab.internet.collector.v4] });
  await waitFor(() => status2().queueDepth === 0, { what: 'the 18 to be sent after the collector returns', timeoutMs: 60_000 });
  const seqs = (await waitFor(async () => {
    // The restarted collector appends to the same file, after 1..20.
    const raw = (await collector.rawMessages()).map(seqOf).filter((s) => s > 20);
    return new Set(raw).size >= 18 ? raw : undefined;
  }, { what: 'the 18 at the collector', timeoutMs: 30_000 }).catch(async (e: Error) => {
    throw new Error(`${e.message}: got ${JSON.stringify((await collector.rawMessages()).map(seqOf))}, status ${JSON.stringify(status2())}`);
  }));
  const firsts = seqs.filter((s, i) => seqs.indexOf(s) === i);
  t.deepEqual([...firsts].sort((a, b) => a - b), Array.from({ length: 18 }, (_, i) => 21 + i), 'all of 21..38, none lost');
  t.deepEqual(firsts, [...firsts].sort((a, b) => a - b), 'in order');
});
