// The box's one capture against the real kernel: one tcpdump (-i any, Linux cooked v2) in a
// namespace with two office ports. A burst of 1,000 DHCP packets sent back to back reaches the
// DHCP tap whole, on the right port, with tcpdump's kernel-drop counter read (and 0); a port
// re-created under a new interface index is still told apart; only one tcpdump runs.
//
// tcpdump runs inside the test's namespace through a two-line wrapper (`ip netns exec`), and
// the interface table is read from that namespace, as utmd does from its own.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureHub } from '../../../firmware/src/sensors/captureHub.js';
import { addNamespace, addVeth, deleteNamespace, execIn, ipIn, namespacePids, newLabId, nsName, removeOwnerMarker, writeOwnerMarker } from '../../lab/netns.js';
import { waitFor } from '../../lab/poll.js';
import { Teardown } from '../../lab/teardown.js';
import { buildDhcp, ethIpv4Udp } from '../../unit/devices/dhcpBuilder.js';

/** Sends length-prefixed raw Ethernet frames from a file on an interface, back to back or paced. */
const SENDER = `
import socket, struct, sys, time
iface, path, gap = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
data = open(path, 'rb').read()
off = 0
while off < len(data):
    (n,) = struct.unpack_from('>H', data, off); off += 2
    s.send(data[off:off + n]); off += n
    if gap: time.sleep(gap)
`;

function framesFile(dir: string, name: string, macs: string[]): string {
  const parts: Buffer[] = [];
  for (const mac of macs) {
    const f = ethIpv4Udp(buildDhcp({ mac, options: [[53, [1]], [55, [1, 3, 6, 15]]] }), { src: mac, srcIp: '0.0.0.0', dstIp: '255.255.255.255', srcPort: 68, dstPort: 67 });
    // broadcast destination (the builder leaves the destination MAC zero)
    const eth = Buffer.from(f); eth.fill(0xff, 0, 6);
    const len = Buffer.alloc(2); len.writeUInt16BE(eth.length);
    parts.push(len, eth);
  }
  const p = join(dir, name);
  writeFileSync(p, Buffer.concat(parts));
  return p;
}

function macs(prefix: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `02:${prefix.toString(16).padStart(2, '0')}:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`);
}

test('one tcpdump takes a 1,000-packet DHCP burst whole, per port, counting kernel drops', async (t) => {
  const id = newLabId();
  const box = nsName(id, 'box'); const office = nsName(id, 'sw');
  const dir = mkdtempSync(join(tmpdir(), 'capture-hub-'));
  const down = new Teardown();
  let hub: CaptureHub | null = null;
  try {
    down.push('scratch', () => rmSync(dir, { recursive: true, force: true }));
    // our namespaces are a lab of this process: a concurrent cleanup leaves them alone
    await writeOwnerMarker(id);
    down.push('owner marker', () => removeOwnerMarker(id));
    await addNamespace(box); down.push(box, () => deleteNamespace(box));
    await addNamespace(office); down.push(office, () => deleteNamespace(office));
    await addVeth(box, 'eth1', office, 'p1');
    await addVeth(box, 'eth2', office, 'p2');
    const wrapper = join(dir, 'tcpdump');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${box} tcpdump "$@"\n`);
    chmodSync(wrapper, 0o755);
    const sender = join(dir, 'send.py');
    writeFileSync(sender, SENDER);
    const table = (): Map<number, string> => {
      const links = JSON.parse(execFileSync('ip', ['-n', box, '-j', 'link'], { encoding: 'utf8' })) as Array<{ ifindex: number; ifname: string }>;
      return new Map(links.map((l) => [l.ifindex, l.ifname]));
    };
    hub = new CaptureHub({ now: Date.now, onHealth: () => undefined, tcpdump: wrapper, interfaces: table, statsEveryMs: 200 });
    const dhcp = new Map<string, string>(); // mac → port
    let dhcpFrames = 0;
    const portsIn: string[] = [];
    hub.add({ ifaces: ['eth1', 'eth2'], ports: [67, 68], onFrame: (f, iface) => { dhcpFrames++; dhcp.set(f.srcMac, iface); } });
    hub.add({ ifaces: ['eth2'], ports: [67, 68], direction: 'in', onFrame: (f) => portsIn.push(f.srcMac) });
    hub.add({ ifaces: ['eth1', 'eth2'], ports: [53], portSide: 'src', onFrame: () => undefined });
    hub.start();
    await waitFor(() => hub?.health()[0]?.ok, { what: 'tcpdump listening', timeoutMs: 20_000 });

    // Back to back: 1,000 DISCOVERs from 1,000 devices behind eth1, as fast as a raw socket goes.
    const burst = macs(0x10, 1000);
    await execIn(office, ['python3', sender, 'p1', framesFile(dir, 'burst', burst), '0']);
    await waitFor(() => dhcpFrames >= 1000, { what: `1,000 DHCP frames (have ${dhcpFrames})`, timeoutMs: 20_000 });
    t.is(dhcp.size, 1000, 'every device of the burst seen once');
    t.true(burst.every((m) => dhcp.get(m) === 'eth1'), 'all on the port they arrived on');
    t.deepEqual(portsIn, [], 'the eth2-only tap saw nothing of eth1');
    const c = await waitFor(() => { const k = hub?.counters(); return k && k.received >= 1000 ? k : null; }, { what: 'tcpdump counters', timeoutMs: 10_000 });
    t.is(c.kernelDrops, 0, 'the kernel dropped nothing');
    t.is(c.truncated, 0);

    // One capture process in the box, however many taps and ports.
    const pids = await namespacePids(box);
    const names = pids.map((p) => { try { return execFileSync('cat', [`/proc/${p}/comm`], { encoding: 'utf8' }).trim(); } catch { return ''; } });
    t.deepEqual(names.filter((n) => n === 'tcpdump'), ['tcpdump']);

    // eth2 re-created (cable moved, driver reloaded): a new index, still eth2.
    await ipIn(box, ['link', 'del', 'eth2']);
    await addVeth(box, 'eth2', office, 'p2');
    const late = macs(0x20, 50);
    const lateFile = framesFile(dir, 'late', late);
    // A new link takes a moment to carry frames (its carrier comes up after creation): send
    // again until they arrive, then check that every one arrived on eth2.
    await waitFor(async () => {
      await execIn(office, ['python3', sender, 'p2', lateFile, '0.001']);
      return late.every((m) => dhcp.get(m) === 'eth2');
    }, { what: 'frames from the re-created eth2', timeoutMs: 30_000, intervalMs: 500 });
    t.deepEqual([...new Set(portsIn)].sort(), [...late].sort(), 'the in-only tap got the received frames of eth2, and only those');
  } finally {
    await hub?.stop();
    await down.runOrThrow();
  }
});
