// Upstream delivery against a real rsyslog (the shipped reference config) in the lab's wan:
// every transport, a collector stopped for a while, a collector SIGKILLed mid-burst, the WAN
// link losing carrier, the box's upstream process SIGKILLed mid-burst and restarted, and
// collectors the box must refuse (wrong CA, expired certificate, wrong name, wrong pin). Each
// case asserts the exact set of sequence numbers the collector holds: no gap, duplicates only
// as the same message with the same number, never a skip forward inside a connection.
import test, { type ExecutionContext } from 'ava';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLab, type Lab } from '../../lab/lab.js';
import { makeTestPki, type TestPki } from '../../lab/testPki.js';
import { checkDelivery, startSyslogCollector, type SyslogCollector } from '../../lab/syslogCollector.js';
import { waitFor } from '../../lab/poll.js';
import type { LabProcess } from '../../lab/process.js';
import type { UpstreamStatus } from '../../../firmware/src/upstream/contract.js';
import type { ForwarderCounters } from '../../../firmware/src/upstream/forwarder.js';

let lab: Lab;
let pki: TestPki;
let collector: SyslogCollector;
let n = 0;

test.before(async () => {
  lab = await createLab({ mode: 'bridge', lanHosts: 1, v6: false });
  pki = await makeTestPki(join(lab.dir, 'pki'), lab.internet.collector.v4, 'collector.test');
  collector = await startSyslogCollector(lab, { ca: pki.caFile, ...pki.good });
});
test.after.always(async () => {
  await lab?.destroy();
});

type Target = Record<string, unknown>;
const tlsTarget = (transport: string, extra: Target = {}): Target => ({ host: lab.internet.collector.v4, transport, caPem: pki.caPem, serverName: 'collector.test', ...extra });
const plainTarget = (transport: string, extra: Target = {}): Target => ({ host: lab.internet.collector.v4, transport, ...extra });

interface Box { name: string; db: string; targetFile: string; proc: LabProcess }

async function startBox(target: Target, count: number, o: { burst?: number; every?: number; name?: string; db?: string } = {}): Promise<Box> {
  const name = o.name ?? `box-${++n}`;
  const db = o.db ?? join(lab.dir, `${name}.db`);
  const targetFile = join(lab.dir, `${name}-${++n}.json`);
  await writeFile(targetFile, JSON.stringify(target));
  const proc = await lab.spawnAgent(lab.ns.box, 'upstreamBox', ['--db', db, '--target', targetFile, '--count', String(count), '--device', name,
    '--burst', String(o.burst ?? 50), '--every', String(o.every ?? 20)]);
  return { name, db, targetFile, proc };
}

function status(b: Box): UpstreamStatus & { left: number; counters: ForwarderCounters } {
  const line = b.proc.stdout().trim().split('\n').filter((l) => l.startsWith('STATUS ')).pop();
  if (!line) throw new Error(`no status yet from ${b.name}: ${b.proc.stderr().slice(-500)}`);
  return JSON.parse(line.slice(7)) as UpstreamStatus & { left: number; counters: ForwarderCounters };
}

const recordsOf = async (box: string) => (await collector.records()).filter((r) => r.box === box);

/** Waits until the box has nothing waiting and reports the collector's view of 1..expected. */
async function assertDelivered(t: ExecutionContext, b: Box, expected: number, timeoutMs = 60_000): Promise<void> {
  await waitFor(async () => {
    const s = status(b);
    return s.left === 0 && s.queueDepth === 0 && s.lastConfirmedSeq === expected;
  }, { what: `${b.name} to confirm ${expected} messages`, timeoutMs, intervalMs: 200 }).catch((e: Error) => {
    throw new Error(`${e.message}; status ${JSON.stringify(status(b))}`);
  });
  const recs = await recordsOf(b.name);
  const d = checkDelivery(recs, expected);
  t.deepEqual(d.missing, [], `${b.name}: nothing lost`);
  t.deepEqual(d.unexpected, [], `${b.name}: no number the box never gave`);
  t.deepEqual(d.changedDuplicates, [], `${b.name}: a duplicate is the same message with the same number`);
  t.deepEqual(d.skips, [], `${b.name}: in order, no skip forward`);
  t.true(recs.every((r) => r.metaSeq === r.seq), 'meta sequenceId carries the same number');
  t.log(`${b.name}: ${recs.length} records for ${expected} messages (${d.duplicates} resent duplicates)`);
}

for (const [transport, target] of [
  ['tls', () => tlsTarget('tls')],
  ['tls pinned (no CA), client certificate', () => ({ host: lab.internet.collector.v4, pinSha256: [spki(pki.good.cert)], clientCertPem: pki.client.certPem, clientKeyPem: pki.client.keyPem })],
  ['relp', () => plainTarget('relp')],
  ['relp-tls', () => tlsTarget('relp-tls', { port: 2515 })],
  ['tcp', () => plainTarget('tcp')],
] as const) {
  test.serial(`${transport}: 300 messages arrive, each number once, in order`, async (t) => {
    const b = await startBox(target(), 300);
    t.teardown(() => b.proc.stop());
    await assertDelivered(t, b, 300);
    if (transport.startsWith('tls')) t.regex(status(b).peerCertSha256 ?? '', /^[0-9a-f]{64}$/);
  });
}

function spki(certFile: string): string {
  const x = new X509Certificate(readFileSync(certFile));
  return createHash('sha256').update(x.publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

for (const transport of ['tls', 'relp'] as const) {
  test.serial(`${transport}: the collector is stopped while 300 messages are raised; after it returns all arrive`, async (t) => {
    await collector.stop();
    t.teardown(async () => { if (!collector.running()) await collector.start(); });
    const b = await startBox(transport === 'tls' ? tlsTarget('tls') : plainTarget('relp'), 300, { burst: 10, every: 30 });
    t.teardown(() => b.proc.stop());
    await waitFor(() => status(b).left === 0 && status(b).lastError !== null, { what: 'all raised while the collector is down', timeoutMs: 30_000 });
    t.is(status(b).lastConfirmedSeq, null, 'nothing counts as delivered while the collector is down');
    t.false(status(b).connected);
    t.is(status(b).queueDepth, 300);
    // An outage of a few backoff rounds (counted, not slept: a busy machine retries later), then the collector returns.
    const failed = status(b).counters.failures;
    await waitFor(() => status(b).counters.failures >= failed + 3, { what: 'three more failed attempts while the collector is down', timeoutMs: 60_000, intervalMs: 200 });
    await collector.start();
    await assertDelivered(t, b, 300);
  });

  test.serial(`${transport}: the collector is SIGKILLed mid-burst and restarted; nothing is lost`, async (t) => {
    const b = await startBox(transport === 'tls' ? tlsTarget('tls') : plainTarget('relp'), 3000, { burst: 100, every: 10 });
    t.teardown(() => b.proc.stop());
    await waitFor(async () => (await recordsOf(b.name)).length >= 300, { what: 'the burst to be under way', timeoutMs: 30_000, intervalMs: 20 });
    await collector.kill();
    t.teardown(async () => { if (!collector.running()) await collector.start(); });
    await waitFor(() => status(b).lastError !== null, { what: 'the box to notice', timeoutMs: 30_000 });
    await collector.start();
    await assertDelivered(t, b, 3000, 90_000);
  });
}

test.serial('tls: the WAN link loses carrier mid-burst; after it returns all arrive', async (t) => {
  // 1000 messages over about 4 s, so the cut comes while they are still being raised.
  const b = await startBox(tlsTarget('tls'), 1000, { burst: 5, every: 20 });
  t.teardown(() => b.proc.stop());
  await waitFor(async () => (await recordsOf(b.name)).length >= 100, { what: 'the burst to be under way', timeoutMs: 30_000, intervalMs: 20 });
  await lab.exec(lab.ns.box, ['ip', 'link', 'set', 'eth0', 'down']);
  t.teardown(() => lab.exec(lab.ns.box, ['ip', 'link', 'set', 'eth0', 'up']));
  await waitFor(() => status(b).lastError !== null && !status(b).connected, { what: 'the box to notice the dead link', timeoutMs: 60_000 });
  const atCut = status(b).lastConfirmedSeq ?? 0;
  t.true(atCut < 1000, 'messages were still waiting when the link went');
  await lab.exec(lab.ns.box, ['ip', 'link', 'set', 'eth0', 'up']);
  await assertDelivered(t, b, 1000, 90_000);
});

test.serial('relp: the box\'s upstream process is SIGKILLed mid-burst and restarted: no number lost or given twice', async (t) => {
  const first = await startBox(plainTarget('relp'), 2000, { burst: 50, every: 10, name: 'box-killed' });
  await waitFor(async () => (await recordsOf('box-killed')).length >= 200, { what: 'the burst to be under way', timeoutMs: 30_000, intervalMs: 20 });
  process.kill(first.proc.pid, 'SIGKILL');
  await waitFor(() => first.proc.exitStatus() !== undefined, { what: 'the box process to die', timeoutMs: 10_000 });
  // Same database: the waiting messages survive, and 100 more get numbers after the last one given.
  const again = await startBox(plainTarget('relp'), 100, { name: 'box-killed', db: first.db });
  t.teardown(() => again.proc.stop());
  await waitFor(() => status(again).left === 0, { what: 'the restarted box to queue its 100', timeoutMs: 30_000 });
  const total = status(again).nextSeq - 1;
  t.true(total > 100 && total <= 2100, `numbers continue after the kill (${total} given)`);
  await assertDelivered(t, again, total, 90_000);
});

for (const [what, o] of [
  ['a collector certificate from another CA', { cert: () => pki.otherCa, target: () => tlsTarget('tls'), expect: /not signed by the provisioned CA|not trusted/ }],
  ['an expired collector certificate', { cert: () => pki.expired, target: () => tlsTarget('tls'), expect: /expired/ }],
  ['a collector certificate for another name', { cert: () => pki.wrongName, target: () => tlsTarget('tls'), expect: /not for collector\.test/ }],
  ['a collector key that matches no pin', { cert: () => pki.good, target: () => ({ host: '198.51.100.11', pinSha256: ['ab'.repeat(32)] }), expect: /matches no provisioned pin/ }],
] as const) {
  test.serial(`tls: ${what} is refused, nothing is sent, and the status says why`, async (t) => {
    const bad = await startSyslogCollector(lab, { ca: pki.caFile, ...o.cert() }, { name: `bad-${++n}`, address: '198.51.100.11' });
    t.teardown(() => bad.stop());
    const b = await startBox({ ...o.target(), host: '198.51.100.11' }, 20);
    t.teardown(() => b.proc.stop());
    const s = await waitFor(() => {
      const st = status(b);
      return st.lastError !== null && st.left === 0 ? st : undefined;
    }, { what: 'the refusal in the status', timeoutMs: 30_000 });
    t.regex(s.lastError ?? '', o.expect);
    t.false(s.connected);
    t.is(s.lastConfirmedSeq, null);
    t.is(s.queueDepth, 20, 'the messages wait for a collector the box can trust');
    t.regex(s.peerCertSha256 ?? '', /^[0-9a-f]{64}$/, 'the fingerprint of what was presented is shown');
    t.deepEqual(await bad.records(), [], 'nothing reached the untrusted collector');
  });
}
