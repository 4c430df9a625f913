// Real kernel, real nft, real ulogd2: NFLOG packet logs and NFCT flow events reach the
// UdpEventListener as typed events, and a killed ulogd2 is reported down and restarted.
//
// Approach: utmd runs entirely inside the box namespace in production, so ulogd2 and the
// listener share that namespace's loopback. The test mirrors that: a small harness
// (ulogdHarness.ts) runs the real listener + sensor INSIDE a fresh namespace via
// `ip netns exec`, and reports events/health as JSON lines on stdout. No relay, no host
// links, no host ruleset: the nft table lives only in the test namespace.
import test, { type ExecutionContext } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlowEvent, PacketLogEvent } from '../../../firmware/src/sensors/events.js';
import type { SupervisorHealth } from '../../../firmware/src/sensors/supervisor.js';
import { conntrackLossTotal, readConntrackStats } from '../../../firmware/src/sensors/conntrackStats.js';
import { run } from '../../../firmware/src/sys/run.js';

const harness = fileURLToPath(new URL('./ulogdHarness.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const GROUP = 7;
const NFT = '/usr/sbin/nft';
const CONNTRACK = '/usr/sbin/conntrack';

type Msg =
  | { kind: 'listening'; port: number; recvBuffer: number }
  | { kind: 'health'; health: SupervisorHealth; pid?: number; ms: number }
  | { kind: 'event'; event: PacketLogEvent | FlowEvent }
  | { kind: 'counters' | 'stopped'; counters: Record<string, unknown> }
  | { kind: 'loss'; stats: unknown };

interface Lab {
  box: string;
  peer: string;
  msgs: Msg[];
  nsExec: (ns: string, argv: string[], stdin?: string) => Promise<string>;
  waitFor: <T extends Msg>(pred: (m: Msg) => m is T, what: string, from?: number) => Promise<T>;
  /** SIGTERM the harness, wait for its clean exit; returns the pids still in the box netns. */
  stopHarness: () => Promise<string[]>;
}

async function until<T>(get: () => T | undefined, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const rules = (group: number): string => `
table inet utmtest {
  chain out {
    type filter hook output priority 0; policy accept;
    ct state established,related accept
    ip daddr 192.0.2.9 log prefix "utm:test" group ${group}
    ip6 daddr 2001:db8::9 log prefix "utm:test6" group ${group}
  }
  chain in {
    type filter hook input priority 0; policy accept;
    ct state established,related accept
    ip saddr 192.0.2.9 log prefix "utm:in" group ${group}
  }
}`;

/** Two fresh namespaces (box with nft + ulogd2 + listener, peer as the "internet" host). */
async function lab(t: ExecutionContext, nfct: boolean): Promise<Lab> {
  const id = `${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;
  const box = `utm-sens-b-${id}`;
  const peer = `utm-sens-p-${id}`;
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'utm-ulogd-'));
  let child: ChildProcess | undefined;
  t.teardown(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await until(() => (child?.exitCode !== null ? true : undefined), 'harness exit', 5000).catch(() => child?.kill('SIGKILL'));
    }
    for (const ns of [box, peer]) {
      const pids = await run(['ip', 'netns', 'pids', ns], { allowFailure: true });
      for (const p of pids.stdout.split('\n').filter(Boolean)) {
        try { process.kill(Number(p), 'SIGKILL'); } catch (err) { t.log(`kill ${p}: ${(err as Error).message}`); }
      }
      await run(['ip', 'netns', 'del', ns], { allowFailure: true });
    }
    await rm(stateDir, { recursive: true, force: true });
  });
  const sh = (argv: string[]): Promise<unknown> => run(argv);
  await sh(['ip', 'netns', 'add', box]);
  await sh(['ip', 'netns', 'add', peer]);
  await sh(['ip', '-n', box, 'link', 'set', 'lo', 'up']);
  await sh(['ip', '-n', peer, 'link', 'set', 'lo', 'up']);
  await sh(['ip', '-n', box, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1', 'netns', peer]);
  await sh(['ip', '-n', box, 'addr', 'add', '192.0.2.1/24', 'dev', 'v0']);
  await sh(['ip', '-n', box, 'addr', 'add', '2001:db8::1/64', 'dev', 'v0', 'nodad']);
  await sh(['ip', '-n', peer, 'addr', 'add', '192.0.2.9/24', 'dev', 'v1']);
  await sh(['ip', '-n', peer, 'addr', 'add', '2001:db8::9/64', 'dev', 'v1', 'nodad']);
  await sh(['ip', '-n', box, 'link', 'set', 'v0', 'up']);
  await sh(['ip', '-n', peer, 'link', 'set', 'v1', 'up']);
  // Absolute paths: under npx/ava, PATH starts with node_modules/.bin, which holds
  // @vercel/nft's `nft` CLI; a bare 'nft' silently runs THAT and loads nothing.
  await run(['ip', 'netns', 'exec', box, NFT, '-f', '-'], { stdin: rules(GROUP) });

  const msgs: Msg[] = [];
  child = spawn('ip', ['netns', 'exec', box, process.execPath, '--import', 'tsx', harness,
    JSON.stringify({ stateDir, group: GROUP, nfct })], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try { msgs.push(JSON.parse(line) as Msg); } catch { t.log(`harness: ${line}`); }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => t.log(`harness stderr: ${d.trim()}`));

  return {
    box, peer, msgs,
    stopHarness: async () => {
      child?.kill('SIGTERM');
      await until(() => (child?.exitCode === 0 ? true : undefined), 'harness clean exit');
      return (await run(['ip', 'netns', 'pids', box])).stdout.split('\n').filter(Boolean);
    },
    nsExec: async (ns, argv, stdin) => (await run(['ip', 'netns', 'exec', ns, ...argv], { stdin, timeoutMs: 10_000 })).stdout,
    waitFor: async (pred, what, from = 0) => {
      try {
        return await until(() => msgs.slice(from).find(pred), what);
      } catch (err) {
        t.log(msgs.filter((m) => m.kind !== 'counters').slice(-20).map((m) => JSON.stringify(m)).join('\n'));
        t.log(JSON.stringify(msgs.filter((m) => m.kind === 'counters').at(-1)));
        t.log((await run(['ip', 'netns', 'exec', box, NFT, 'list', 'ruleset'], { allowFailure: true })).stdout);
        t.log((await run(['ip', 'netns', 'pids', box], { allowFailure: true })).stdout);
        throw err;
      }
    },
  };
}

const isHealth = (ok: boolean) => (m: Msg): m is Extract<Msg, { kind: 'health' }> => m.kind === 'health' && m.health.ok === ok;
const isPacket = (p: (e: PacketLogEvent) => boolean) => (m: Msg): m is Extract<Msg, { kind: 'event' }> =>
  m.kind === 'event' && m.event.type === 'packet' && p(m.event);

test('NFLOG: logged packets arrive as typed events; a killed ulogd2 is reported and restarted', async (t) => {
  const t0 = Date.now();
  const l = await lab(t, false);
  t.log(`lab ready in ${Date.now() - t0} ms`);
  const up = await l.waitFor(isHealth(true), 'ulogd ready');
  t.log(`ulogd ready ${up.ms.toFixed(0)} ms after harness start (listener bound first)`);

  await l.nsExec(l.box, ['ping', '-c1', '-W2', '192.0.2.9']);
  await l.nsExec(l.box, ['ping', '-6', '-c1', '-W2', '2001:db8::9']);
  await l.nsExec(l.peer, ['ping', '-c1', '-W2', '192.0.2.1']);
  const v4 = await l.waitFor(isPacket((e) => e.prefix === 'utm:test'), 'IPv4 packet event');
  t.like(v4.event, { prefix: 'utm:test', family: 4, proto: 'icmp', srcIp: '192.0.2.1', dstIp: '192.0.2.9', outIf: 'v0' });
  const v6 = await l.waitFor(isPacket((e) => e.prefix === 'utm:test6'), 'IPv6 packet event');
  t.like(v6.event, { family: 6, proto: 'icmpv6', srcIp: '2001:db8::1', dstIp: '2001:db8::9' });
  const peerMac = (JSON.parse(await run(['ip', '-n', l.peer, '-j', 'link', 'show', 'v1']).then((r) => r.stdout)) as { address: string }[])[0]?.address;
  const inbound = await l.waitFor(isPacket((e) => e.prefix === 'utm:in'), 'inbound packet event');
  t.like(inbound.event, { srcIp: '192.0.2.9', inIf: 'v0', srcMac: peerMac });

  const pid = up.pid;
  t.truthy(pid);
  const mark = l.msgs.length;
  process.kill(pid as number, 'SIGKILL');
  const down = await l.waitFor(isHealth(false), 'sensor reported down', mark);
  t.regex(down.health.detail, /killed by SIGKILL; restart in \d+ ms/);
  const back = await l.waitFor(isHealth(true), 'sensor back up', mark);
  t.true(back.health.restarts >= 1);
  t.not(back.pid, pid);

  t.log(`restart observed at ${Date.now() - t0} ms`);
  const mark2 = l.msgs.length;
  await l.nsExec(l.box, ['ping', '-c1', '-W2', '192.0.2.9']);
  await l.waitFor(isPacket((e) => e.prefix === 'utm:test'), 'packet event after restart', mark2);
  t.log(`done at ${Date.now() - t0} ms`);

  // utmd's shutdown path: stop() must leave nothing running in the namespace.
  t.deepEqual(await l.stopHarness(), []);
  t.truthy(l.msgs.find((m) => m.kind === 'stopped'));
});

test('NFCT: a finished flow arrives as a flow event with bytes and start/end times', async (t) => {
  const l = await lab(t, true);
  await l.waitFor(isHealth(true), 'ulogd ready');
  const server = spawn('ip', ['netns', 'exec', l.peer, 'nc', '-l', '192.0.2.9', '8080'], { stdio: 'ignore' });
  t.teardown(() => { server.kill('SIGKILL'); });
  // Retry the connect until the server listens (a poll, not a fixed sleep).
  let connected = false;
  for (let i = 0; i < 50 && !connected; i++) {
    const r = await run(['ip', 'netns', 'exec', l.box, 'nc', '-N', '-w2', '192.0.2.9', '8080'], { stdin: 'hello\n', allowFailure: true });
    connected = r.code === 0;
    if (!connected) await new Promise((res) => setTimeout(res, 50));
  }
  t.true(connected, 'connected to the peer');
  // Ending the flow now (instead of waiting for TIME_WAIT) makes conntrack emit DESTROY.
  await l.nsExec(l.box, [CONNTRACK, '-D', '-p', 'tcp', '--dport', '8080']);
  const flow = await l.waitFor((m: Msg): m is Extract<Msg, { kind: 'event' }> =>
    m.kind === 'event' && m.event.type === 'flow' && m.event.dport === 8080, 'flow event');
  const f = flow.event as FlowEvent;
  t.is(f.phase, 'end');
  t.like(f, { src: '192.0.2.1', dst: '192.0.2.9', protoNum: 6 });
  t.true(f.origPkts > 0, 'accounting on (nf_conntrack_acct=1)');
  t.true(f.start > 0, 'timestamps on (nf_conntrack_timestamp=1)');
  t.true(f.at >= f.start);
  t.log(`flow event sample: ${JSON.stringify(f)}`);

  const stats = await readConntrackStats(run, ['ip', 'netns', 'exec', l.box]);
  t.true(stats.cpus.length >= 1);
  t.is(typeof conntrackLossTotal(stats), 'number');
});
