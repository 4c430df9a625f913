// End-to-end benchmark of the traffic path through utmd's real parts: generated office-day
// NFCT datagrams (test/bench/officeDay.ts) are sent over loopback UDP by a child process to
// the real UdpEventListener → TrafficFeature (parseFlow, neighbour MAC, DetectorSet) →
// AlertPipeline (mutes, dedup, incidents, outbox) → SQLite on disk. It reports:
//  1. throughput as a ratio of a raw dgram receive + JSON.parse of the same datagrams, in this run;
//  2. detection latency: from sending the datagram that completes a finding to the alert stored
//     (both clocks are CLOCK_MONOTONIC via process.hrtime), p50/p99;
//  3. precision/recall on the planted cases, false alerts per 50 devices per day;
//  4. peak RSS of the receiving process with 5,000 devices × 50,000 destinations.
// In the day pass the sender also sends the DNS answers the generator makes (real wire format,
// to a second UDP port, each prefixed with the client address and capture time the box's
// capture would know); the utmd path feeds them to TrafficFeature.onDnsAnswer, the raw pass
// only receives them. Flow control and the throughput figure count flow datagrams only.
// The sender keeps at most WINDOW datagrams in flight (flow control over IPC), so nothing is lost
// in the socket buffer and both phases process exactly the same datagrams.
// Runs in its own network namespace (created and removed here), as root:
//   npx tsx test/bench/traffic.bench.ts [--minutes 1440] [--rss-minutes 120]
import { execFileSync, fork, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { benchNodeFlags, compileBench } from './compiled.js';
import { OfficeDay, LAN_PREFIX, RESOLVER, type PlantedCase } from './officeDay.js';
import type { FeatureContext } from '../../firmware/src/feature/contract.js';
import type { Finding } from '../../firmware/src/alerts/types.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
const SELF = fileURLToPath(import.meta.url);
const WINDOW = 1500;

interface DayPlan { devices: number; destinations: number; fromMinute: number; minutes: number; activeRate?: number; dns?: boolean }
type ToSender = { start: DayPlan & { port: number; dnsPort: number } } | { upTo: number };
type FromSender = { planted: PlantedCase[] } | { done: number; dns: number };

/** Bench framing of a captured DNS answer: client IPv4 (4 bytes), capture time (float64), payload. */
function frameDns(clientIp: string, at: number, payload: Uint8Array): Buffer {
  const b = Buffer.alloc(12 + payload.length);
  clientIp.split('.').forEach((o, i) => { b[i] = Number(o); });
  b.writeDoubleBE(at, 4);
  b.set(payload, 12);
  return b;
}

function unframeDns(b: Buffer): { clientIp: string; at: number; payload: Uint8Array } {
  return { clientIp: `${b[0]}.${b[1]}.${b[2]}.${b[3]}`, at: b.readDoubleBE(4), payload: b.subarray(12) };
}

// ---------------------------------------------------------------- sender (child process)
function sender(): void {
  let sock: dgram.Socket | null = null;
  let gen: Generator<string | Buffer> | null = null;
  let sent = 0, dnsSent = 0, upTo = 0, port = 0, dnsPort = 0, finished = false;
  function* datagrams(o: DayPlan, day: OfficeDay): Generator<string | Buffer> {
    for (let m = o.fromMinute; m < o.fromMinute + o.minutes; m++) {
      const flows = day.minute(m);
      const dns = day.takeDns();
      // A minute's lookups go out before its flows (each lookup precedes its connection).
      if (o.dns) for (const a of dns) yield frameDns(a.clientIp, a.at, a.payload);
      // The last key is a placeholder for the send time, filled in just before sending.
      for (const d of flows) yield JSON.stringify({ ...d, 'bench.sent': 0 }).slice(0, -2);
    }
  }
  const pump = (): void => {
    while (gen && sent < upTo) {
      const n = gen.next();
      if (n.done) {
        if (!finished) { finished = true; process.send!({ done: sent, dns: dnsSent } satisfies FromSender); }
        return;
      }
      if (typeof n.value !== 'string') { sock!.send(n.value, dnsPort, '127.0.0.1'); dnsSent++; continue; }
      // Stamped just before sending (µs, CLOCK_MONOTONIC): generation time does not count as latency.
      sock!.send(`${n.value}${process.hrtime.bigint() / 1000n}}`, port, '127.0.0.1');
      sent++;
    }
  };
  process.on('message', (m: ToSender) => {
    if ('start' in m) {
      port = m.start.port;
      dnsPort = m.start.dnsPort;
      const day = new OfficeDay({ devices: m.start.devices, destinations: m.start.destinations, ...(m.start.activeRate ? { activeRate: m.start.activeRate } : {}) });
      process.send!({ planted: day.planted } satisfies FromSender);
      sock = dgram.createSocket('udp4');
      gen = datagrams(m.start, day);
    } else {
      upTo = m.upTo;
      pump();
    }
  });
  process.on('disconnect', () => { sock?.close(); process.exit(0); });
}

// ---------------------------------------------------------------- receiver side (in the namespace)
interface Driven { total: number; dnsSent: number; seconds: number; planted: PlantedCase[]; lost: number }

/** Runs one pass: starts a sender, feeds `port` (DNS answers to `dnsPort`), lets `processed()` drive the window. */
async function drive(port: number, dnsPort: number, processed: () => number, o: DayPlan): Promise<Driven> {
  const child: ChildProcess = fork(SELF, ['--sender'], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let planted: PlantedCase[] = [];
  let total = -1, dnsSent = 0, granted = 0, t0 = 0n, lost = 0, last = -1, lastAt = Date.now();
  const grant = (): void => {
    const want = processed() + lost + WINDOW;
    if (want > granted) { granted = want; child.send({ upTo: want } satisfies ToSender); }
  };
  const done = new Promise<void>((resolve) => {
    child.on('message', (m: FromSender) => {
      if ('planted' in m) { planted = m.planted; t0 = process.hrtime.bigint(); grant(); }
      else { total = m.done; dnsSent = m.dns; }
    });
    const tick = setInterval(() => {
      if (t0 === 0n) return;
      const p = processed();
      if (total >= 0 && p + lost >= total) { clearInterval(tick); resolve(); return; }
      if (p !== last) { last = p; lastAt = Date.now(); }
      else if (Date.now() - lastAt > 500) {
        // No progress for 0.5 s: what is in flight was dropped (socket buffer); count it, move on.
        lost += Math.max(0, (total >= 0 ? total : granted) - p - lost);
        lastAt = Date.now();
      }
      grant();
    }, 1);
  });
  child.send({ start: { ...o, port, dnsPort } } satisfies ToSender);
  await done;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  child.disconnect();
  return { total, dnsSent, seconds, planted, lost };
}

/** A loopback socket for the DNS answers; `onAnswer` gets each datagram. */
async function dnsSocket(onAnswer: (b: Buffer) => void): Promise<dgram.Socket> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', onAnswer);
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  sock.setRecvBufferSize(8 * 1024 * 1024);
  return sock;
}

async function rawPass(o: DayPlan): Promise<Driven & { dnsReceived: number }> {
  const sock = dgram.createSocket('udp4');
  let n = 0, sink = 0, dnsReceived = 0;
  sock.on('message', (b) => { sink += Object.keys(JSON.parse(b.toString('utf8')) as object).length; n++; });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  sock.setRecvBufferSize(8 * 1024 * 1024);
  const dns = await dnsSocket(() => { dnsReceived++; });
  const res = await drive(sock.address().port, dns.address().port, () => n, o);
  sock.close();
  dns.close();
  if (sink < 0) console.log(sink);
  return { ...res, dnsReceived };
}

async function fullPass(o: DayPlan) {
  const { UdpEventListener } = await import('../../firmware/src/sensors/listener.js');
  const { nflogParser, nfctParser } = await import('../../firmware/src/sensors/parsers.js');
  const { TrafficFeature } = await import('../../firmware/src/traffic/feature.js');
  const { openDb } = await import('../../firmware/src/store/db.js');
  const { everyMigration } = await import('../helpers/schema.js');
  const { AlertsRepo } = await import('../../firmware/src/alerts/alertsRepo.js');
  const { OutboxRepo } = await import('../../firmware/src/upstream/outboxRepo.js');
  const { IncidentsRepo } = await import('../../firmware/src/alerts/incidentsRepo.js');
  const { MutesRepo } = await import('../../firmware/src/alerts/mutesRepo.js');
  const { AlertPipeline } = await import('../../firmware/src/alerts/pipeline.js');
  const { alertToSyslog } = await import('../../firmware/src/upstream/message.js');
  const { OutboxSink } = await import('../../firmware/src/upstream/sink.js');
  const { ConfigSchema, cooldownMsFor } = await import('../../firmware/src/config/schema.js');
  const { packageRoot } = await import('../../firmware/src/sys/paths.js');
  const { Conditions } = await import('../../firmware/src/app/conditions.js');
  type FC = FeatureContext<never>;
  const { trafficRepos } = await import('../../firmware/src/traffic/view.js');

  const dir = mkdtempSync(join(tmpdir(), 'utm-traffic-bench-'));
  const db = openDb(join(dir, 'utm.db'), everyMigration);
  const alerts = new AlertsRepo(db), outbox = new OutboxRepo(db), incidents = new IncidentsRepo(db), mutes = new MutesRepo(db, Date.now);
  const pipeline = new AlertPipeline({
    db, alerts, upstream: new OutboxSink({ outbox, deviceId: 'bench', now: Date.now, maxMessages: 1_000_000, maxBytes: 1 << 30 }), incidents, incidentWindowMs: 6 * 3_600_000, suppressWindowMs: 24 * 3_600_000, mutes: () => mutes.list(),
    now: Date.now, cooldownMs: cooldownMsFor(ConfigSchema.parse({}).alerts), // as utmd (daemon.ts)
    toUpstream: (a, i) => alertToSyslog(a, { text: a.kind, incident: i }),
  });
  let currentSentUs = 0;
  const latenciesMs: number[] = [];
  const found: Array<{ kind: string; ip: string | undefined; remoteName: unknown }> = [];
  const noop = (): void => undefined;
  // One plan object, as the daemon's currentPlan() returns until the network changes: a new one
  // per call made TrafficFeature rebuild its LAN matcher (parsing the prefixes) for every flow.
  const plan = { lanPrefixes: [LAN_PREFIX] };
  const ctx = {
    // The office resolver is outside the office range: trusted by configuration, as on a real box.
    stateDir: dir, config: ConfigSchema.parse({ traffic: { dnsNames: { trustedServers: [RESOLVER] } } }), provisioning: null, base: { logPrefix: 'utm' }, now: Date.now, repos: trafficRepos(db, Date.now),
    log: { info: noop, warn: noop, error: (m: string, e?: unknown) => console.error(m, e) },
    ruleset: null, conditions: new Conditions(Date.now), deviceId: 'bench', plan: () => plan,
    raise: (f: Finding) => {
      const r = pipeline.ingest(f);
      if (r.isNew) {
        latenciesMs.push((Number(process.hrtime.bigint() / 1000n) - currentSentUs) / 1000);
        found.push({ kind: f.kind, ip: f.device?.ip, remoteName: f.evidence['remoteName'] });
      }
    },
    requestApply: async () => false,
  } as unknown as FC;
  const feature = new TrafficFeature({ root: packageRoot() });
  feature.init(ctx);
  let n = 0;
  const listener = new UdpEventListener({
    // The send stamp rides in the datagram; it is read as the listener types the flow, just before onEvent.
    port: 0, now: Date.now, recvBufferSize: 8 * 1024 * 1024,
    parsers: [nflogParser, { ...nfctParser, parse: (v, at) => {
      currentSentUs = Number((typeof v === 'object' && v !== null ? (v as Record<string, unknown>)['bench.sent'] : 0) ?? 0);
      return nfctParser.parse(v, at);
    } }],
    onEvent: (e) => {
      if (e.type === 'flow') feature.onFlow(e);
    },
  });
  const port = await listener.start();
  const dns = await dnsSocket((b) => { const a = unframeDns(b); feature.onDnsAnswer(a.payload, a.clientIp, a.at, RESOLVER); });
  const evict = setInterval(() => (feature as unknown as { detectors: { evict(n: number): void } | null }).detectors?.evict(Number((feature.status() as { lastEventAt: number | null }).lastEventAt ?? 0)), 50);
  const res = await drive(port, dns.address().port, () => (n = listener.counters().received), o);
  clearInterval(evict);
  await listener.stop();
  dns.close();
  const out = {
    ...res, n, latenciesMs, found, alerts: alerts.count(), incidents: incidents.recent(10_000).length, outbox: outbox.pending().count,
    status: feature.status(), listener: listener.counters(), maxRssMB: process.resourceUsage().maxRSS / 1024,
    liveHeapMB: liveHeapMB(),
  };
  // where the live heap goes: UTM_BENCH_HEAP_SNAPSHOT=FILE writes a heap snapshot here (DevTools' Memory tab reads it)
  if (process.env.UTM_BENCH_HEAP_SNAPSHOT) writeHeapSnapshot(process.env.UTM_BENCH_HEAP_SNAPSHOT);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return out;
}

/** Heap still reachable after a full collection: the state the detectors really hold. */
function liveHeapMB(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed / 1048576;
}

const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN; };

async function inner(): Promise<void> {
  const mode = args.includes('--rss') ? 'rss' : 'day';
  if (mode === 'day') {
    const o = { devices: 50, destinations: 20_000, fromMinute: 0, minutes: arg('--minutes', 1440), dns: !args.includes('--no-dns') };
    const raw = await rawPass(o);
    const full = await fullPass(o);
    const rawRate = raw.total / raw.seconds, fullRate = full.total / full.seconds;
    console.log(`office day: 50 devices, ${o.minutes} minutes, ${raw.total} datagrams`);
    console.log(`raw receive + JSON.parse:   ${Math.round(rawRate).toLocaleString()} datagrams/s`);
    console.log(`utmd path (listener → TrafficFeature → pipeline → SQLite): ${Math.round(fullRate).toLocaleString()} datagrams/s → ratio ${(fullRate / rawRate).toFixed(2)} (target ≥ 0.50)`);
    console.log(`  (both paced by the sender, at most ${WINDOW} in flight; lost in the socket buffer: raw ${raw.lost}, utmd ${full.lost})`);
    const dnsStatus = (full.status as { dns: { frames: number; answers: number; addresses: number; names: number; capDropped: number; errors: object; ignored: object } | null }).dns;
    console.log(`DNS answers sent with the flows: ${full.dnsSent} (raw pass received ${raw.dnsReceived}); name sensor: ${JSON.stringify(dnsStatus && { frames: dnsStatus.frames, answers: dnsStatus.answers, addresses: dnsStatus.addresses, names: dnsStatus.names, capDropped: dnsStatus.capDropped, errors: dnsStatus.errors, ignored: dnsStatus.ignored })}`);
    const named = full.found.filter((f) => typeof f.remoteName === 'string');
    console.log(`new alerts whose evidence names the remote: ${named.length}/${full.found.length}${named.length ? ` (${named.map((f) => `${f.kind}→${String(f.remoteName)}`).join(', ')})` : ''}`);
    const planted = new Set(full.planted.map((p) => `${p.kind}|${p.deviceIp}`));
    const foundKeys = new Set(full.found.map((f) => `${f.kind}|${f.ip}`));
    const tp = [...planted].filter((k) => foundKeys.has(k));
    const fp = [...foundKeys].filter((k) => !planted.has(k));
    console.log(`detection latency (send → stored alert), ${full.latenciesMs.length} new alerts: p50 ${pct(full.latenciesMs, 0.5).toFixed(2)} ms, p99 ${pct(full.latenciesMs, 0.99).toFixed(2)} ms, max ${Math.max(...full.latenciesMs).toFixed(2)} ms (target p99 < 1000 ms)`);
    console.log(`planted found ${tp.length}/${planted.size} (recall ${(tp.length / planted.size).toFixed(2)}), precision ${(tp.length / Math.max(1, foundKeys.size)).toFixed(2)}; false alert keys ${fp.length} per 50 devices per day (target ≤ 1)${fp.length ? `: ${fp.join(', ')}` : ''}`);
    console.log(`stored: ${full.alerts} alerts in ${full.incidents} incidents; upstream outbox ${full.outbox} messages (one per incident opened, escalated or given a new kind)`);
    console.log(`listener: ${JSON.stringify(full.listener)}`);
    console.log(`ingest: ${JSON.stringify((full.status as { ingest: unknown }).ingest)}`);
    console.log(`peak RSS of this process (50 devices): ${full.maxRssMB.toFixed(0)} MB`);
  } else {
    const o = { devices: 5000, destinations: 50_000, fromMinute: arg('--from', 540), minutes: arg('--rss-minutes', 120), activeRate: 2, dns: !args.includes('--no-dns') };
    const full = await fullPass(o);
    console.log(`  lost in the socket buffer: ${full.lost}`);
    console.log(`memory: 5,000 devices × 50,000 destinations, minutes ${o.fromMinute}–${o.fromMinute + o.minutes}, ${full.total} datagrams in ${full.seconds.toFixed(1)} s: peak RSS ${full.maxRssMB.toFixed(0)} MB (target ≤ 200 MB); live heap after a full GC ${full.liveHeapMB.toFixed(0)} MB`);
    console.log(`  detector state: ${JSON.stringify((full.status as { detectors: { sizes: unknown } }).detectors.sizes)}; DNS answers ${full.dnsSent}, name sensor ${JSON.stringify((full.status as { dns?: unknown }).dns ?? null)}; alerts ${full.alerts}, incidents ${full.incidents}`);
  }
}

// ---------------------------------------------------------------- outer: own namespace
function outer(): void {
  // The receiving side runs as utmd does on the box (compiled, the unit's node flags).
  const compiled = compileBench(import.meta.url);
  const { flags, env, from } = benchNodeFlags();
  console.log(`receiver: compiled (dist/), node ${flags.join(' ')}${Object.keys(env).length ? `, environment ${JSON.stringify(env)}` : ''} (from ${from})`);
  const ns = `utm-bench-${randomBytes(3).toString('hex')}`;
  const ip = ['/usr/sbin/ip', '/usr/bin/ip', '/sbin/ip'].find((p) => spawnSync(p, ['-V']).status === 0) ?? 'ip';
  execFileSync(ip, ['netns', 'add', ns]);
  try {
    execFileSync(ip, ['netns', 'exec', ns, ip, 'link', 'set', 'lo', 'up']);
    const run = (extra: string[]): void => {
      const r = spawnSync(ip, ['netns', 'exec', ns, process.execPath, ...flags, compiled, '--inner', ...extra, ...args], { stdio: 'inherit', env: { ...process.env, ...env } });
      if (r.status !== 0) process.exitCode = 1;
    };
    if (!args.includes('--skip-day')) run([]);
    if (!args.includes('--skip-rss')) run(['--rss']);
  } finally {
    execFileSync(ip, ['netns', 'del', ns]);
  }
}

if (args.includes('--sender')) sender();
else if (args.includes('--inner')) await inner();
else outer();
