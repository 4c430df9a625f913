// Bridge mode: while a device is quarantined the bridge table looks up every frame from and to
// it (the forward chain is armed; nothing quarantined: disarmed, nft/render.ts
// bridgeForwardRules). Checked on the real kernel from both office ports:
// - an open connection to an address of the device that no source of the connection cutter
//   holds (not in lan_seen, not in the box's neighbour table, not in the inventory) stops at
//   its next frame, and works again after release (before, it went on: only new connections
//   met the quarantine);
// - 802.1Q-tagged frames (written by hand: this kernel has no 8021q) from and to the device
//   stop while it is quarantined, DNS-port ones included, and pass when it is not;
// - quarantine, re-apply and restart in either order leave the chain armed; release disarms.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createLab, type Lab } from '../../lab/lab.js';
import { startTcpListener, tcpProbe } from '../../lab/services.js';
import { startUtmd, labUtmdConfig, type Utmd } from '../../lab/utmd.js';
import { SIGHTING_WAIT_MS, waitFor } from '../../lab/poll.js';

const NFT = '/usr/sbin/nft';
const SEG_ADDR = '192.168.77.201';
/** An address of the quarantined device it never opens a connection from (a static extra address). */
const HIDDEN = '192.168.77.222';
const VLAN = 100;
/** Addresses inside the tagged frames (the VLAN is its own network, not the office's). */
const VLAN_ADDR = { host: '10.77.100.1', seg: '10.77.100.2' } as const;

type Side = 'host' | 'seg';
interface End { ns: string; ifname: string; v4: string; mac: string }

/** A bridge lab with two office ports: `host` behind the first, `seg` behind the second. */
async function twoPorts(t: { teardown: (fn: () => Promise<void> | void) => void }): Promise<{ lab: Lab; ends: Record<Side, End> }> {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1, v6: false, secondLanPort: true });
  t.teardown(() => lab.destroy());
  await lab.addSegment2Address(SEG_ADDR);
  const h = lab.hosts[0]!;
  const seg = lab.segment2!;
  const segMac = (await lab.exec(seg.ns, ['cat', `/sys/class/net/${seg.ifname}/address`])).trim();
  return { lab, ends: { host: { ns: h.ns, ifname: h.ifname, v4: h.v4, mac: h.mac }, seg: { ns: seg.ns, ifname: seg.ifname, v4: SEG_ADDR, mac: segMac } } };
}

const other = (s: Side): Side => (s === 'host' ? 'seg' : 'host');

const Devices = z.object({ devices: z.array(z.object({ mac: z.string(), ipv4: z.array(z.string()) })) });
async function inventory(utmd: Utmd): Promise<z.infer<typeof Devices>['devices']> {
  return Devices.parse(JSON.parse((await utmd.ctl(['devices', '--json'])).stdout)).devices;
}

/** The device opens one connection of its own through the box (to the other port's listener),
 *  so the inventory knows it by MAC and primary address. */
async function makeKnown(utmd: Utmd, dev: End, peer: End, port: number): Promise<void> {
  await waitFor(async () => (await tcpProbe(dev.ns, [{ addr: peer.v4, port }]))[0]?.outcome === 'connected' || undefined,
    { what: 'the device\'s own connection across the bridge', timeoutMs: 20_000 });
  await waitFor(async () => (await inventory(utmd)).some((d) => d.mac === dev.mac && d.ipv4.includes(dev.v4)) || undefined,
    { what: 'the device and its address in the inventory', timeoutMs: SIGHTING_WAIT_MS });
}

/** The bridge forward chain as nft prints it; armed when the sender lookup comes first. */
async function forwardForm(lab: Lab): Promise<'armed' | 'disarmed'> {
  const text = await lab.exec(lab.box.ns, [NFT, 'list', 'chain', 'bridge', 'utm', 'forward']);
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.includes('@quarantine') || l.startsWith('ether type'));
  if (/ether saddr @quarantine jump quarantine_from/.test(lines[0] ?? '') && /ether daddr @quarantine jump quarantine_to/.test(lines[1] ?? '')) return 'armed';
  if (/^ether type \{ ip, arp, ip6 \} accept/.test(lines[0] ?? '')) return 'disarmed';
  throw new Error(`bridge forward chain in neither form:\n${text}`);
}

async function quarantine(utmd: Utmd, verb: 'quarantine' | 'release', mac: string): Promise<void> {
  const r = await utmd.ctl(['device', verb, mac]);
  if (r.code !== 0) throw new Error(`utmctl device ${verb}: ${r.stderr}`);
}

/** Waits until `count` has not grown for `quietMs`; returns the count then. */
async function quiet(count: () => number, what: string, quietMs = 1500, timeoutMs = 20_000): Promise<number> {
  let last = count();
  let since = Date.now();
  return waitFor(() => {
    const n = count();
    if (n !== last) { last = n; since = Date.now(); return undefined; }
    return Date.now() - since >= quietMs ? n : undefined;
  }, { what, timeoutMs, intervalMs: 100 });
}

for (const side of ['host', 'seg'] as const) {
  test.serial(`bridge, device behind the ${side === 'host' ? 'first' : 'second'} office port: an open connection to an address no source of the cutter holds stops when the device is quarantined, and works after release`, async (t) => {
    const { lab, ends } = await twoPorts(t);
    const dev = ends[side];
    const peer = ends[other(side)];
    await lab.exec(dev.ns, ['ip', 'addr', 'add', `${HIDDEN}/24`, 'dev', dev.ifname]);
    await startTcpListener(lab, peer.ns, [{ addr: peer.v4, port: 8080 }]);
    const utmd = await startUtmd(lab, { config: labUtmdConfig(lab, []) });
    await makeKnown(utmd, dev, peer, 8080);
    t.is(await forwardForm(lab), 'disarmed', 'nothing quarantined: no per-frame lookup for IP frames');
    // the peer's open connection to the device's extra address
    const echo = await lab.spawnAgent(dev.ns, 'chatter', ['echo', `${HIDDEN}:7007`]);
    await echo.waitForOutput((s) => s.includes('listening'), { what: 'echo server', timeoutMs: 20_000 });
    const talk = await lab.spawnAgent(peer.ns, 'chatter', ['talk', `${HIDDEN}:7007`]);
    const replies = (): number => (talk.stdout().match(/^reply /gm) ?? []).length;
    await waitFor(() => replies() >= 5 || undefined, { what: 'echoes on the open connection', timeoutMs: 20_000 });
    // no source of the cutter holds that address: sightings gone, neighbours flushed, not in the inventory
    await lab.exec(lab.box.ns, [NFT, 'flush', 'set', 'inet', 'utm', 'lan_seen']);
    await lab.exec(lab.box.ns, ['ip', 'neigh', 'flush', 'all']);
    t.notRegex(await lab.exec(lab.box.ns, [NFT, 'list', 'set', 'inet', 'utm', 'lan_seen']), new RegExp(HIDDEN.replaceAll('.', '\\.')));
    t.false((await inventory(utmd)).some((d) => d.ipv4.includes(HIDDEN)), 'the inventory does not hold the extra address');

    await quarantine(utmd, 'quarantine', dev.mac);
    t.is(await forwardForm(lab), 'armed');
    const stopped = await quiet(replies, 'the echoes on the open connection to stop');
    await new Promise((r) => setTimeout(r, 2000)); // the talker sends every 100 ms: nothing may come back in 2 s
    t.is(replies(), stopped, 'no echo after the quarantine');
    // it was the bridge table: the cutter could not find the connection, its entry is still there
    t.regex(await lab.exec(lab.box.ns, ['conntrack', '-L', '-p', 'tcp', '--dport', '7007']), /dport=7007/, 'conntrack still holds the connection');
    t.is((await tcpProbe(peer.ns, [{ addr: HIDDEN, port: 7007 }], { timeoutMs: 1500 }))[0]?.outcome, 'timeout', 'a new connection to it stops too');

    await quarantine(utmd, 'release', dev.mac);
    t.is(await forwardForm(lab), 'disarmed');
    // the same connection carries on once TCP retransmits (backoff: seconds), and new ones connect
    await waitFor(() => replies() > stopped || undefined, { what: 'echoes again on the open connection', timeoutMs: 60_000, intervalMs: 200 });
    t.is((await tcpProbe(peer.ns, [{ addr: HIDDEN, port: 7007 }]))[0]?.outcome, 'connected');
  });
}

/** Counts the frames tagged with VLAN id 100, and those of them to UDP port 53, that `ifname` receives in `ns`. */
async function countTagged(lab: Lab, ns: string, ifname: string, dir: string): Promise<() => Promise<{ tagged: number; dns: number }>> {
  const file = join(dir, `tagged-${ns}.nft`);
  writeFileSync(file, `table netdev vlancount {\n counter tagged {}\n counter dns {}\n chain in { type filter hook ingress device "${ifname}" priority 0;\n  vlan id ${VLAN} counter name tagged\n  vlan id ${VLAN} udp dport 53 counter name dns\n }\n}\n`);
  await lab.exec(ns, [NFT, '-f', file]);
  const Listing = z.object({ nftables: z.array(z.object({ counter: z.object({ name: z.string(), packets: z.number().int() }).optional() })) });
  return async () => {
    const l = Listing.parse(JSON.parse(await lab.exec(ns, [NFT, '-j', 'list', 'counters', 'table', 'netdev', 'vlancount'])));
    const get = (n: string): number => l.nftables.find((o) => o.counter?.name === n)?.counter?.packets ?? 0;
    return { tagged: get('tagged'), dns: get('dns') };
  };
}

/** Sends COUNT 802.1Q frames (VLAN 100) of each kind from IFACE to DST (MAC): IPv4 UDP to port
 *  53 (a DNS query), IPv4 TCP SYN to port 8080, ARP request. This kernel has no 8021q module
 *  (`# CONFIG_VLAN_8021Q is not set`), so no VLAN subinterface: the tag is written by hand,
 *  as a tagged device or a trunk port would send it. */
const SENDER = `
import socket, struct, sys
iface, dst, src_ip, dst_ip, count = sys.argv[1], bytes.fromhex(sys.argv[2].replace(':', '')), sys.argv[3], sys.argv[4], int(sys.argv[5])
src = bytes.fromhex(open('/sys/class/net/%s/address' % iface).read().strip().replace(':', ''))
tag = struct.pack('!HH', 0x8100, ${VLAN})
def csum(b):
    if len(b) % 2: b += b'\\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
def ipv4(proto, payload):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0, socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    return h[:10] + struct.pack('!H', csum(h)) + h[12:] + payload
query = b'\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x07example\\x03com\\x00\\x00\\x01\\x00\\x01'
udp = struct.pack('!HHHH', 40000, 53, 8 + len(query), 0) + query
syn = struct.pack('!HHIIBBHHH', 40001, 8080, 1, 0, 0x50, 0x02, 64240, 0, 0)
arp = struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4, 1, src, socket.inet_aton(src_ip), b'\\0' * 6, socket.inet_aton(dst_ip))
frames = [tag + struct.pack('!H', 0x0800) + ipv4(17, udp), tag + struct.pack('!H', 0x0800) + ipv4(6, syn), tag + struct.pack('!H', 0x0806) + arp]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
for _ in range(count):
    for f in frames: s.send(dst + src + f.ljust(46 + 4, b'\\0'))
`;

for (const side of ['seg', 'host'] as const) {
  test.serial(`bridge, device behind the ${side === 'host' ? 'first' : 'second'} office port: its 802.1Q-tagged frames, from and to it (UDP to port 53, TCP, ARP), stop while it is quarantined and pass when it is not`, async (t) => {
    const { lab, ends } = await twoPorts(t);
    const dir = mkdtempSync(join(tmpdir(), 'utm-brqa-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const sender = join(dir, 'tagged.py');
    writeFileSync(sender, SENDER);
    const names = { dev: side, peer: other(side) } as const;
    const dev = ends[names.dev];
    const peer = ends[names.peer];
    const atDev = await countTagged(lab, dev.ns, dev.ifname, dir);
    const atPeer = await countTagged(lab, peer.ns, peer.ifname, dir);
    const N = 5; // of each of the three kinds
    /** Sends N of each kind from one end to the other. */
    const send = (from: 'dev' | 'peer'): Promise<string> => {
      const [a, b] = from === 'dev' ? [dev, peer] : [peer, dev];
      return lab.exec(a.ns, ['python3', sender, a.ifname, b.mac, VLAN_ADDR[names[from]], VLAN_ADDR[names[from === 'dev' ? 'peer' : 'dev']], String(N)]);
    };
    const arrive = async (at: () => Promise<{ tagged: number; dns: number }>, before: { tagged: number; dns: number }, what: string): Promise<void> => {
      await waitFor(async () => { const n = await at(); return (n.tagged >= before.tagged + 3 * N && n.dns >= before.dns + N) || undefined; }, { what, timeoutMs: 10_000 });
    };

    await startTcpListener(lab, peer.ns, [{ addr: peer.v4, port: 8080 }]);
    const utmd = await startUtmd(lab, { config: labUtmdConfig(lab, []) });
    await makeKnown(utmd, dev, peer, 8080);

    // not quarantined: tagged frames cross both ways
    let p0 = await atPeer();
    let d0 = await atDev();
    await send('dev');
    await send('peer');
    await arrive(atPeer, p0, 'the device\'s tagged frames at the peer');
    await arrive(atDev, d0, 'the peer\'s tagged frames at the device');

    await quarantine(utmd, 'quarantine', dev.mac);
    t.is(await forwardForm(lab), 'armed');
    p0 = await atPeer();
    d0 = await atDev();
    const dropped = await counterPackets(lab);
    await send('dev');
    await send('peer');
    // both directions dropped in the bridge table: quarantine_from counts the device's (named counter), quarantine_to the others
    await waitFor(async () => (await counterPackets(lab)) >= dropped + 3 * N || undefined, { what: 'the device\'s tagged frames dropped in the bridge table', timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 500));
    t.deepEqual(await atPeer(), p0, 'none of the quarantined device\'s tagged frames reached the peer (DNS port included)');
    t.deepEqual(await atDev(), d0, 'none of the peer\'s tagged frames reached the quarantined device');

    await quarantine(utmd, 'release', dev.mac);
    t.is(await forwardForm(lab), 'disarmed');
    await send('dev');
    await send('peer');
    await arrive(atPeer, p0, 'released: the device\'s tagged frames at the peer');
    await arrive(atDev, d0, 'released: the peer\'s tagged frames at the device');
  });
}

/** Packets counted by the bridge table's named quarantine counter (the device's dropped frames). */
async function counterPackets(lab: Lab): Promise<number> {
  const C = z.object({ nftables: z.array(z.object({ counter: z.object({ packets: z.number().int() }).optional() })) });
  const l = C.parse(JSON.parse(await lab.exec(lab.box.ns, [NFT, '-j', 'list', 'counter', 'bridge', 'utm', 'quarantine_out'])));
  return l.nftables.find((o) => o.counter)?.counter?.packets ?? 0;
}

test.serial('bridge: quarantine then re-apply, and restart with the device already quarantined (last-good from before the quarantine), both give the armed form; release disarms, a re-apply keeps it so', async (t) => {
  const { lab, ends } = await twoPorts(t);
  const dev = ends.seg;
  const peer = ends.host;
  await startTcpListener(lab, peer.ns, [{ addr: peer.v4, port: 8080 }]);
  const stateDir = join(lab.dir, 'state');
  let utmd = await startUtmd(lab, { config: labUtmdConfig(lab, []), stateDir });
  await makeKnown(utmd, dev, peer, 8080);
  t.is(await forwardForm(lab), 'disarmed');
  const reapply = async (entry: string): Promise<void> => {
    const r = await utmd.ctl(['allow', 'add', entry]); // a full apply of the whole ruleset
    t.is(r.code, 0, r.stderr);
  };
  const drift = async (): Promise<unknown> => (JSON.parse((await utmd.ctl(['--json', 'ruleset', 'check'])).stdout) as { drift: unknown }).drift;

  // order 1: the quarantine change, then a full re-apply
  await quarantine(utmd, 'quarantine', dev.mac);
  t.is(await forwardForm(lab), 'armed', 'armed by the quarantine change');
  t.deepEqual(await drift(), [], 'no drift against the last full render (same rule count)');
  await reapply('198.51.100.7');
  t.is(await forwardForm(lab), 'armed', 'a re-apply renders the armed form');

  // order 2: restart (tables gone, as after a reboot) with the device already quarantined; the
  // last-good document is armed here, so take one from before the quarantine: release, re-apply
  // (last-good disarmed), quarantine again (a set change only), then restart
  await quarantine(utmd, 'release', dev.mac);
  t.is(await forwardForm(lab), 'disarmed');
  await reapply('198.51.100.8');
  t.is(await forwardForm(lab), 'disarmed', 'a re-apply with nothing quarantined stays disarmed');
  await quarantine(utmd, 'quarantine', dev.mac);
  t.is(await forwardForm(lab), 'armed');
  await utmd.stop();
  await lab.exec(lab.box.ns, [NFT, 'delete', 'table', 'bridge', 'utm']);
  await lab.exec(lab.box.ns, [NFT, 'delete', 'table', 'inet', 'utm']);
  utmd = await startUtmd(lab, { config: labUtmdConfig(lab, []), stateDir });
  await waitFor(async () => (await forwardForm(lab)) === 'armed' || undefined, { what: 'the armed form after the restart', timeoutMs: 30_000, intervalMs: 200 });
  t.regex(await lab.exec(lab.box.ns, [NFT, 'list', 'set', 'bridge', 'utm', 'quarantine']), new RegExp(dev.mac, 'i'));
  // what the office sees: the device is cut off across the bridge
  t.is((await tcpProbe(dev.ns, [{ addr: peer.v4, port: 8080 }], { timeoutMs: 1500 }))[0]?.outcome, 'timeout');
  await quarantine(utmd, 'release', dev.mac);
  t.is(await forwardForm(lab), 'disarmed');
  t.is((await tcpProbe(dev.ns, [{ addr: peer.v4, port: 8080 }]))[0]?.outcome, 'connected');
});
