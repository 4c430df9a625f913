// Bridge mode: what a quarantined device can still do, checked from both sides of the box's
// bridge (two office ports). While it is quarantined the bridge table looks up every frame
// from and to it (the forward chain armed, nft/render.ts) and drops what it may not send; the
// inet table checks its new connections too (br_netfilter hands bridged IP frames to it, with
// conntrack); its open connections are ended when it is quarantined. So this test sends through the bridge, in both
// directions, a new TCP connection to another office device, an open one, a raw non-IP frame,
// and what stays allowed (address resolution, DNS, the box's page).
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createLab, type Lab } from '../../lab/lab.js';
import { startTcpListener, tcpProbe } from '../../lab/services.js';
import { startUtmd, labUtmdConfig } from '../../lab/utmd.js';
import { SIGHTING_WAIT_MS, waitFor } from '../../lab/poll.js';

const NFT = '/usr/sbin/nft';
/** IEEE's "local experimental" ether type: a frame no other table of the box sees. */
const ETHERTYPE = 0x88b5;
const SEG_ADDR = '192.168.77.201';

/** Sends `count` raw frames of ETHERTYPE from `iface` to `dst` (AF_PACKET). */
const SENDER = `
import socket, sys
iface, dst, count = sys.argv[1], bytes.fromhex(sys.argv[2].replace(':', '')), int(sys.argv[3])
src = bytes.fromhex(open('/sys/class/net/%s/address' % iface).read().strip().replace(':', ''))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
for _ in range(count):
    s.send(dst + src + (${ETHERTYPE}).to_bytes(2, 'big') + b'otasuke quarantine test'.ljust(46, b'\\0'))
`;

const CounterList = z.object({ nftables: z.array(z.object({ counter: z.object({ name: z.string(), packets: z.number().int().nonnegative() }).optional() })) });

async function counter(lab: Lab, ns: string, args: string[]): Promise<number> {
  const j = CounterList.parse(JSON.parse(await lab.exec(ns, [NFT, '-j', 'list', 'counter', ...args])));
  return j.nftables.find((o) => o.counter)?.counter?.packets ?? 0;
}

/** Counts the ETHERTYPE frames `ifname` receives in `ns` (a netdev table in the test's own namespace). */
async function countRaw(lab: Lab, ns: string, ifname: string, dir: string): Promise<() => Promise<number>> {
  const file = join(dir, `count-${ns}.nft`);
  writeFileSync(file, `table netdev rawcount {\n counter raw {}\n chain in { type filter hook ingress device "${ifname}" priority 0; ether type 0x${ETHERTYPE.toString(16)} counter name raw; }\n}\n`);
  await lab.exec(ns, [NFT, '-f', file]);
  return () => counter(lab, ns, ['netdev', 'rawcount', 'raw']);
}

test.serial('bridge: a quarantined device loses new and open connections to another office port, and its non-IP frames, both ways; ARP, DNS and the page stay', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1, v6: false, secondLanPort: true });
  t.teardown(() => lab.destroy());
  const dir = mkdtempSync(join(tmpdir(), 'utm-brq-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sender = join(dir, 'send.py');
  writeFileSync(sender, SENDER);
  const seg = lab.segment2!;
  await lab.addSegment2Address(SEG_ADDR);
  const host = lab.hosts[0]!;
  const segMac = (await lab.exec(seg.ns, ['cat', `/sys/class/net/${seg.ifname}/address`])).trim();
  await startTcpListener(lab, seg.ns, [{ addr: SEG_ADDR, port: 8080 }, { addr: SEG_ADDR, port: 53 }]);
  await startTcpListener(lab, host.ns, [{ addr: host.v4, port: 8081 }]);
  const atHost = await countRaw(lab, host.ns, host.ifname, dir);
  const atSeg = await countRaw(lab, seg.ns, seg.ifname, dir);
  const raw = (ns: string, ifname: string, dst: string): Promise<string> => lab.exec(ns, ['python3', sender, ifname, dst, '5']);

  const utmd = await startUtmd(lab, { config: labUtmdConfig(lab, []) });
  const toSeg = [{ addr: SEG_ADDR, port: 8080 }];
  const toHost = [{ addr: host.v4, port: 8081 }];
  // Before: everything crosses the bridge (new TCP both ways, raw frames both ways).
  t.is((await tcpProbe(host.ns, toSeg))[0]?.outcome, 'connected');
  t.is((await tcpProbe(seg.ns, toHost))[0]?.outcome, 'connected');
  await raw(host.ns, host.ifname, segMac);
  await waitFor(async () => (await atSeg()) >= 5 || undefined, { what: 'raw frames from the host at segment 2', timeoutMs: 10_000 });
  await raw(seg.ns, seg.ifname, host.mac);
  await waitFor(async () => (await atHost()) >= 5 || undefined, { what: 'raw frames from segment 2 at the host', timeoutMs: 10_000 });
  // an open connection from the host to segment 2 (the host's sightings let the cutter find it)
  const chat = await lab.spawnAgent(seg.ns, 'chatter', ['echo', `${SEG_ADDR}:7007`]);
  await chat.waitForOutput((s) => s.includes('listening'), { what: 'echo server', timeoutMs: 20_000 });
  const talk = await lab.spawnAgent(host.ns, 'chatter', ['talk', `${SEG_ADDR}:7007`]);
  const replies = (): number => (talk.stdout().match(/^reply /gm) ?? []).length;
  await waitFor(() => replies() >= 5 || undefined, { what: 'echoes on the open connection', timeoutMs: 20_000 });

  const ipDrops = await counter(lab, lab.box.ns, ['inet', 'utm', 'quarantine_out']);
  const l2Drops = await counter(lab, lab.box.ns, ['bridge', 'utm', 'quarantine_out']);
  const q = await utmd.ctl(['device', 'quarantine', host.mac]);
  t.is(q.code, 0, q.stderr);

  // the open connection dies: its echoes stop coming
  await waitFor(async () => !/dport=7007/.test(await lab.exec(lab.box.ns, ['conntrack', '-L', '-p', 'tcp', '--dport', '7007'])) || undefined,
    { what: 'the open connection to leave conntrack', timeoutMs: 60_000, intervalMs: 200 });
  const stopped = replies();
  await new Promise((r) => setTimeout(r, 2000)); // the talker sends every few hundred ms: no reply may arrive in 2 s
  t.true(replies() <= stopped + 1, `no more echoes on the open connection (${stopped} → ${replies()})`);

  // new TCP connections both ways stop; while a device is quarantined the bridge table looks
  // up every frame (armed), so its IP frames are dropped, and counted, there, before the inet table
  t.is((await tcpProbe(host.ns, toSeg, { timeoutMs: 1500 }))[0]?.outcome, 'timeout', 'quarantined → other office port');
  t.is((await tcpProbe(seg.ns, toHost, { timeoutMs: 1500 }))[0]?.outcome, 'timeout', 'other office port → quarantined');
  t.is((await tcpProbe(host.ns, [{ addr: lab.internet.web.v4, port: 80 }], { timeoutMs: 1500 }))[0]?.outcome, 'timeout', 'quarantined → internet');
  t.true(await counter(lab, lab.box.ns, ['bridge', 'utm', 'quarantine_out']) > l2Drops, 'IP drops counted in bridge utm quarantine_out');
  t.is(await counter(lab, lab.box.ns, ['inet', 'utm', 'quarantine_out']), ipDrops, 'none left for the inet table');

  // raw non-IP frames stop both ways, counted in the bridge table
  const l2Before = await counter(lab, lab.box.ns, ['bridge', 'utm', 'quarantine_out']);
  const segBefore = await atSeg();
  const hostBefore = await atHost();
  await raw(host.ns, host.ifname, segMac);
  await raw(host.ns, host.ifname, 'ff:ff:ff:ff:ff:ff');
  await raw(seg.ns, seg.ifname, host.mac);
  await waitFor(async () => (await counter(lab, lab.box.ns, ['bridge', 'utm', 'quarantine_out'])) >= l2Before + 10 || undefined,
    { what: 'the quarantined device\'s raw frames dropped in the bridge table', timeoutMs: 10_000 });
  // a control frame from segment 2 to the broadcast address still arrives at the host's side? No: only
  // frames to or from the quarantined MAC stop; segment 2's broadcast is not addressed to it.
  await raw(seg.ns, seg.ifname, 'ff:ff:ff:ff:ff:ff');
  await waitFor(async () => (await atHost()) >= hostBefore + 5 || undefined, { what: 'segment 2\'s broadcast raw frames at the host', timeoutMs: 10_000 });
  t.is(await atSeg(), segBefore, 'none of the quarantined device\'s raw frames reached segment 2');
  t.is(await atHost(), hostBefore + 5, 'of segment 2\'s raw frames only the broadcast ones reached the quarantined device');

  // what stays: address resolution, DNS (TCP 53 to another office device), the box's page
  await lab.exec(host.ns, ['ip', 'neigh', 'flush', 'dev', host.ifname]);
  t.is((await tcpProbe(host.ns, [{ addr: SEG_ADDR, port: 53 }]))[0]?.outcome, 'connected', 'DNS over TCP still reaches another office device');
  t.regex(await lab.exec(host.ns, ['ip', 'neigh', 'show', SEG_ADDR]), new RegExp(segMac, 'i'), 'ARP still resolves across the bridge');
  t.is((await tcpProbe(host.ns, [{ addr: lab.box.lanAddress.v4, port: 80 }]))[0]?.outcome, 'connected', 'the box\'s page still answers');

  // released: both ways pass again
  t.is((await utmd.ctl(['device', 'release', host.mac])).code, 0);
  t.is((await tcpProbe(host.ns, toSeg))[0]?.outcome, 'connected');
  t.is((await tcpProbe(seg.ns, toHost))[0]?.outcome, 'connected');
});

// The cutter finds a device's open connections by the addresses it knows for its MAC. A
// connection *to* the device, when its sightings have expired (an hour after its last new
// connection through the box) and the box's neighbour table has none, is found through the
// inventory, which keeps the device's recent addresses.
test.serial('bridge: an open connection to a quarantined device ends though its sightings expired (the inventory knows its address)', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1, v6: false, secondLanPort: true });
  t.teardown(() => lab.destroy());
  const seg = lab.segment2!;
  await lab.addSegment2Address(SEG_ADDR);
  const host = lab.hosts[0]!;
  await startTcpListener(lab, seg.ns, [{ addr: SEG_ADDR, port: 8080 }]);
  const utmd = await startUtmd(lab, { config: labUtmdConfig(lab, []) });
  // one connection of its own through the box: sighted, then in the inventory with its address
  t.is((await tcpProbe(host.ns, [{ addr: SEG_ADDR, port: 8080 }]))[0]?.outcome, 'connected');
  await waitFor(async () => (JSON.parse((await utmd.ctl(['devices', '--json'])).stdout) as { devices: { mac: string; ipv4: string[] }[] }).devices
    .some((d) => d.mac === host.mac && d.ipv4.includes(host.v4)) || undefined, { what: 'the device and its address in the inventory', timeoutMs: SIGHTING_WAIT_MS });
  // a connection from the other office port to it
  const echo = await lab.spawnAgent(host.ns, 'chatter', ['echo', `${host.v4}:7007`]);
  await echo.waitForOutput((s) => s.includes('listening'), { what: 'echo server', timeoutMs: 20_000 });
  const talk = await lab.spawnAgent(seg.ns, 'chatter', ['talk', `${host.v4}:7007`]);
  await waitFor(() => (talk.stdout().match(/^reply /gm) ?? []).length >= 5 || undefined, { what: 'echoes on the open connection', timeoutMs: 20_000 });
  // its sighting expires (removed here) and the box's neighbour table forgets it
  await lab.exec(lab.box.ns, [NFT, 'delete', 'element', 'inet', 'utm', 'lan_seen', `{ ${host.mac} . ${host.v4} }`]);
  await lab.exec(lab.box.ns, ['ip', 'neigh', 'flush', 'all']);
  t.notRegex(await lab.exec(lab.box.ns, [NFT, 'list', 'set', 'inet', 'utm', 'lan_seen']), new RegExp(host.mac, 'i'));

  const q = await utmd.ctl(['device', 'quarantine', host.mac]);
  t.is(q.code, 0, q.stderr);
  await waitFor(async () => !/dport=7007/.test(await lab.exec(lab.box.ns, ['conntrack', '-L', '-p', 'tcp', '--dport', '7007'])) || undefined,
    { what: 'the open connection to the quarantined device to leave conntrack', timeoutMs: 30_000, intervalMs: 200 });
  t.pass();
});
