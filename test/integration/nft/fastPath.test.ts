// The fast path (established and related packets accepted first) keeps every protection:
// when an address is listed, or a device quarantined, the connections already open end at
// once (utmd deletes their conntrack entries), they do not live on through the shortcut.
// Each case holds one TCP connection open that sends a line every 100 ms and sees it echoed,
// then lists its peer / quarantines its device. "The connection is dead" is read from the box
// itself, never from a quiet spell (issue 13: a stalled machine makes a live connection look
// quiet): the connection's conntrack entry is gone, and the packets it keeps sending are
// counted by the drop rule's named counter (they missed the fast path and were dropped).
import test, { type ExecutionContext } from 'ava';
import { z } from 'zod';
import { createLab, type Lab } from '../../lab/lab.js';
import { startUtmd, labUtmdConfig, type Utmd } from '../../lab/utmd.js';
import { SIGHTING_WAIT_MS, waitFor } from '../../lab/poll.js';
import type { LabProcess } from '../../lab/process.js';
import { feedLab, refresh } from '../blocklist/helpers.js';

const NFT = '/usr/sbin/nft';
const PORT = 7007;
const replies = (p: LabProcess): number => (p.stdout().match(/^reply /gm) ?? []).length;

interface Chat { talk: LabProcess; localPort: number; v6: boolean }

/** Opens the long-lived connection from the first office host to addr:7007 and waits until
 *  echoes come back on it (the connection demonstrably works before anything is listed). */
async function openChat(lab: Lab, addr: string): Promise<Chat> {
  const v6 = addr.includes(':');
  const spec = v6 ? `[${addr}]:${PORT}` : `${addr}:${PORT}`;
  const echo = await lab.spawnAgent(lab.ns.wan, 'chatter', ['echo', spec]);
  await echo.waitForOutput((s) => s.includes('listening'), { what: 'echo server', timeoutMs: 20_000 });
  const talk = await lab.spawnAgent(lab.hosts[0]!.ns, 'chatter', ['talk', spec]);
  await waitFor(() => replies(talk) >= 5 || undefined, { what: 'echoes on the open connection', timeoutMs: 20_000 });
  const localPort = Number(/^connected (\d+)$/m.exec(talk.stdout())?.[1]);
  if (!Number.isInteger(localPort)) throw new Error(`the talker did not say its port:\n${talk.stdout()}`);
  return { talk, localPort, v6 };
}

/** The box's conntrack entries of the chat connection (its original direction), as listed. */
const chatEntries = (lab: Lab, c: Chat): Promise<string> =>
  lab.exec(lab.box.ns, ['conntrack', '-L', '-f', c.v6 ? 'ipv6' : 'ipv4', '-p', 'tcp', '--sport', String(c.localPort), '--dport', String(PORT)]);

/** Waits (generous deadline) until the box holds an entry for the chat connection. */
const entryPresent = (lab: Lab, c: Chat): Promise<string> =>
  waitFor(async () => { const l = await chatEntries(lab, c); return /ESTABLISHED/.test(l) ? l : undefined; },
    { what: `the box's conntrack entry of the connection from port ${c.localPort}`, timeoutMs: 60_000, intervalMs: 200 });

/** Waits (generous deadline) until the box holds no entry for the chat connection. */
const entryGone = (lab: Lab, c: Chat): Promise<true> =>
  waitFor(async () => !/dport=/.test(await chatEntries(lab, c)), { what: `the connection from port ${c.localPort} to leave conntrack`, timeoutMs: 60_000, intervalMs: 200 });

const CounterList = z.object({ nftables: z.array(z.object({ counter: z.object({ name: z.string(), packets: z.number().int().nonnegative() }).optional() })) });

/** Packets a named counter of the box's `family utm` table has counted (throws if it does not exist). */
async function counterPackets(lab: Lab, family: 'inet' | 'bridge', name: string): Promise<number> {
  const j = CounterList.parse(JSON.parse(await lab.exec(lab.box.ns, [NFT, '-j', 'list', 'counter', family, 'utm', name])));
  const c = j.nftables.find((o) => o.counter?.name === name)?.counter;
  if (!c) throw new Error(`no counter ${family} utm ${name}`);
  return c.packets;
}

/** Reads a counter before the change (0 when it does not exist yet, as a group's counter before the group). */
const counterBefore = (lab: Lab, family: 'inet' | 'bridge', name: string): Promise<number> =>
  counterPackets(lab, family, name).catch(async (e: unknown) => {
    const listing = await lab.exec(lab.box.ns, [NFT, 'list', 'counters', 'table', family, 'utm']);
    if (new RegExp(`counter ${name} `).test(listing)) throw e;
    return 0;
  });

/** Waits (generous deadline) until the counter has counted more than `before`: the talker,
 *  which keeps sending, has had packets dropped by that rule. */
const dropsCounted = (lab: Lab, family: 'inet' | 'bridge', name: string, before: number): Promise<number> =>
  waitFor(async () => { const n = await counterPackets(lab, family, name); return n > before ? n : undefined; },
    { what: `drops counted in ${family} utm ${name} (above ${before})`, timeoutMs: 60_000, intervalMs: 200 });

const inInventory = async (utmd: Utmd, mac: string): Promise<true | undefined> =>
  (JSON.parse((await utmd.ctl(['devices', '--json'])).stdout) as { devices: { mac: string }[] }).devices.some((d) => d.mac === mac) || undefined;

/** An open connection (IPv4 to 203.0.113.90, or IPv6 to the internet's web host) dies when
 *  its peer is blocked by hand: its conntrack entry goes and its next packets are counted drops. */
async function blockedByHand(t: ExecutionContext, mode: 'router' | 'bridge', family: 4 | 6): Promise<void> {
  const lab = await createLab({ mode, lanHosts: 1, v6: family === 6 });
  t.teardown(() => lab.destroy());
  const utmd = await startUtmd(lab, { config: labUtmdConfig(lab, []) });
  // an IPv6 echo binds to an address the internet namespace holds
  const peer = family === 6 ? lab.internet.web.v6 : '203.0.113.90';
  const chat = await openChat(lab, peer);
  await entryPresent(lab, chat);
  const before = await counterBefore(lab, 'inet', 'bl_manual_out');
  const add = await utmd.ctl(['block', 'add', peer, '--for', '1h', '--json']);
  t.is(add.code, 0, add.stderr);
  await entryGone(lab, chat);
  t.true(await dropsCounted(lab, 'inet', 'bl_manual_out', before) > before, 'the open connection\'s next packets met the blocklist and were dropped');
}

for (const mode of ['router', 'bridge'] as const) {
  test.serial(`${mode}: an open connection dies when its peer is blocked by hand`, (t) => blockedByHand(t, mode, 4));

  test.serial(`${mode}: an open connection dies when its device is quarantined`, async (t) => {
    const lab = await createLab({ mode, lanHosts: 1, v6: false });
    t.teardown(() => lab.destroy());
    const utmd = await startUtmd(lab, { config: labUtmdConfig(lab, []) });
    const chat = await openChat(lab, '198.51.100.90');
    await entryPresent(lab, chat);
    const mac = lab.hosts[0]!.mac;
    await waitFor(() => inInventory(utmd, mac), { what: 'the talking device in the inventory', timeoutMs: SIGHTING_WAIT_MS });
    // router: the inet table; bridge: while a device is quarantined the bridge table looks up
    // every frame (armed, nft/render.ts bridgeForwardRules) before the inet table sees it
    const family = mode === 'bridge' ? 'bridge' : 'inet';
    const before = await counterPackets(lab, family, 'quarantine_out');
    const q = await utmd.ctl(['device', 'quarantine', mac]);
    t.is(q.code, 0, q.stderr);
    await entryGone(lab, chat);
    t.true(await dropsCounted(lab, family, 'quarantine_out', before) > before, 'the device\'s next packets met the quarantine and were dropped');
  });
}

// IPv6: the cutter lists both families and deletes by IPv6 address; a quarantined device's
// IPv6 connections end too, in both modes, by MAC: every new connection from the office
// records its sender's (MAC, IPv6) in the inet table's lan_seen6 (bridge mode: the bridge
// table marks IPv6 frames from office ports so the inet table knows the sender is an office
// device), and the cutter deletes the entries of the quarantined MAC's addresses.
for (const mode of ['router', 'bridge'] as const) {
  test.serial(`${mode}: an open IPv6 connection dies when its peer is blocked by hand`, (t) => blockedByHand(t, mode, 6));

  test.serial(`${mode}: an open IPv6 connection dies when its device is quarantined`, async (t) => {
    const lab = await createLab({ mode, lanHosts: 1 });
    t.teardown(() => lab.destroy());
    const utmd = await startUtmd(lab, { config: labUtmdConfig(lab, []) });
    const host = lab.hosts[0]!;
    // the device is known by its IPv4 traffic first (as an office PC is), then talks IPv6
    await lab.exec(host.ns, ['ping', '-q', '-c', '2', '-i', '0.2', '-W', '2', lab.internet.web.v4]);
    const chat = await openChat(lab, lab.internet.collector.v6);
    await entryPresent(lab, chat);
    await waitFor(() => inInventory(utmd, host.mac), { what: 'the talking device in the inventory', timeoutMs: SIGHTING_WAIT_MS });
    // router: the inet table; bridge: while a device is quarantined the bridge table looks up
    // every frame (armed, nft/render.ts bridgeForwardRules) before the inet table sees it
    const family = mode === 'bridge' ? 'bridge' : 'inet';
    const before = await counterPackets(lab, family, 'quarantine_out');
    const q = await utmd.ctl(['device', 'quarantine', host.mac]);
    t.is(q.code, 0, q.stderr);
    await entryGone(lab, chat);
    t.true(await dropsCounted(lab, family, 'quarantine_out', before) > before, 'the device\'s next IPv6 packets met the quarantine and were dropped');
  });
}

test.serial('bridge: an open connection dies when a feed refresh lists its peer', async (t) => {
  const l = await feedLab(t);
  l.writeFeed(['198.51.100.99']);
  await l.serve();
  const utmd = await l.start();
  t.true(['loaded', 'unchanged'].includes((await refresh(utmd))[0]?.result ?? ''), 'the feed is in force (utmd may have loaded it at start)');
  const peer = '203.0.113.95';
  const chat = await openChat(l.lab, peer);
  await entryPresent(l.lab, chat);
  const before = await counterBefore(l.lab, 'inet', 'bl_fbothdrop_out');
  l.writeFeed(['198.51.100.99', peer]);
  t.like((await refresh(utmd))[0], { result: 'loaded' });
  await entryGone(l.lab, chat);
  t.true(await dropsCounted(l.lab, 'inet', 'bl_fbothdrop_out', before) > before, 'the open connection\'s next packets met the feed\'s set and were dropped');
});
