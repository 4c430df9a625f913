// The fast path (established and related packets accepted first) keeps every protection:
// when an address is listed, or a device quarantined, the connections already open end at
// once (utmd deletes their conntrack entries), they do not live on through the shortcut.
// Each case holds one TCP connection open that exchanges a line every 100 ms, then lists
// its peer / quarantines its device and watches the echoes stop and the drop counted.
import test from 'ava';
import { createLab, type Lab } from '../../lab/lab.js';
import { startUtmd, labUtmdConfig } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import type { LabProcess } from '../../lab/process.js';
import { feedLab, refresh } from '../blocklist/helpers.js';

const NFT = '/usr/sbin/nft';
const replies = (p: LabProcess): number => (p.stdout().match(/^reply /gm) ?? []).length;

/** Opens the long-lived connection from the first office host to addr:7007 and waits for echoes. */
async function openChat(lab: Lab, addr: string): Promise<LabProcess> {
  const spec = addr.includes(':') ? `[${addr}]:7007` : `${addr}:7007`;
  const echo = await lab.spawnAgent(lab.ns.wan, 'chatter', ['echo', spec]);
  await echo.waitForOutput((s) => s.includes('listening'), { what: 'echo server', timeoutMs: 20_000 });
  const talk = await lab.spawnAgent(lab.hosts[0]!.ns, 'chatter', ['talk', spec]);
  await waitFor(() => replies(talk) >= 5 || undefined, { what: 'echoes on the open connection', timeoutMs: 20_000 });
  return talk;
}

/** Polls until no echo arrived for a whole 2 s window (deadline 20 s): the connection is dead. */
async function silenced(talk: LabProcess): Promise<number> {
  let last = replies(talk);
  let since = Date.now();
  return waitFor(() => {
    const n = replies(talk);
    if (n !== last) { last = n; since = Date.now(); return undefined; }
    return Date.now() - since >= 2000 ? n : undefined;
  }, { what: 'the open connection to stop', timeoutMs: 20_000, intervalMs: 100 });
}

const counterPackets = async (lab: Lab, name: string): Promise<number> =>
  Number(/packets (\d+)/.exec(await lab.exec(lab.box.ns, [NFT, 'list', 'counter', 'inet', 'utm', name]))?.[1] ?? NaN);

for (const mode of ['router', 'bridge'] as const) {
  test.serial(`${mode}: an open connection dies when its peer is blocked by hand`, async (t) => {
    const lab = await createLab({ mode, lanHosts: 1, v6: false });
    t.teardown(() => lab.destroy());
    const utmd = await startUtmd(lab, { config: labUtmdConfig(lab, []) });
    const peer = '203.0.113.90';
    const talk = await openChat(lab, peer);
    const before = replies(talk);
    const add = await utmd.ctl(['block', 'add', peer, '--for', '1h', '--json']);
    t.is(add.code, 0, add.stderr);
    const at = await silenced(talk);
    t.true(at >= before, `${at - before} echoes after the block`);
    t.true(await counterPackets(lab, 'bl_manual_out') > 0, 'the open connection\'s next packets met the blocklist and were dropped');
    const ct = await lab.exec(lab.box.ns, ['conntrack', '-L', '-d', peer]).catch(() => '');
    t.false(/ESTABLISHED/.test(ct), `no established entry to ${peer} left:\n${ct}`);
  });

  test.serial(`${mode}: an open connection dies when its device is quarantined`, async (t) => {
    const lab = await createLab({ mode, lanHosts: 1, v6: false });
    t.teardown(() => lab.destroy());
    const utmd = await startUtmd(lab, { config: labUtmdConfig(lab, []) });
    const talk = await openChat(lab, '198.51.100.90');
    const mac = lab.hosts[0]!.mac;
    await waitFor(async () => (JSON.parse((await utmd.ctl(['devices', '--json'])).stdout) as { devices: { mac: string }[] }).devices.some((d) => d.mac === mac) || undefined,
      { what: 'the talking device in the inventory', timeoutMs: 60_000 });
    const q = await utmd.ctl(['device', 'quarantine', lab.hosts[0]!.mac]);
    t.is(q.code, 0, q.stderr);
    await silenced(talk);
    const ct = await lab.exec(lab.box.ns, ['conntrack', '-L', '-s', lab.hosts[0]!.v4]).catch(() => '');
    t.false(/ESTABLISHED.*dport=7007/.test(ct), `no established entry from the device left:\n${ct}`);
  });
}

// IPv6: the cutter lists both families and deletes by IPv6 address; a quarantined device's
// IPv6 connections end too. In router mode the box's neighbour table maps the device's MAC to
// its IPv6 address and the entry is deleted. In bridge mode the bridge table drops every frame
// of a quarantined MAC (address resolution aside) whatever conntrack says, so the connection
// dies all the same; its entry stays until it times out, because the only MAC-to-address
// sightings bridge mode has (the ruleset's lan_seen set) are IPv4 ones.
for (const mode of ['router', 'bridge'] as const) {
  test.serial(`${mode}: an open IPv6 connection dies when its peer is blocked by hand`, async (t) => {
    const lab = await createLab({ mode, lanHosts: 1 });
    t.teardown(() => lab.destroy());
    const utmd = await startUtmd(lab, { config: labUtmdConfig(lab, []) });
    const peer = lab.internet.web.v6; // an IPv6 echo binds to an address the internet namespace holds
    const talk = await openChat(lab, peer);
    const add = await utmd.ctl(['block', 'add', peer, '--for', '1h', '--json']);
    t.is(add.code, 0, add.stderr);
    await silenced(talk);
    t.true(await counterPackets(lab, 'bl_manual_out') > 0, 'the open connection\'s next packets met the blocklist and were dropped');
    const ct = await lab.exec(lab.box.ns, ['conntrack', '-L', '-f', 'ipv6', '-d', peer]).catch(() => '');
    t.false(/ESTABLISHED/.test(ct), `no established entry to ${peer} left:\n${ct}`);
  });

  test.serial(`${mode}: an open IPv6 connection dies when its device is quarantined`, async (t) => {
    const lab = await createLab({ mode, lanHosts: 1 });
    t.teardown(() => lab.destroy());
    const utmd = await startUtmd(lab, { config: labUtmdConfig(lab, []) });
    const host = lab.hosts[0]!;
    // the device is known by its IPv4 traffic first (as an office PC is), then talks IPv6
    await lab.exec(host.ns, ['ping', '-q', '-c', '2', '-i', '0.2', '-W', '2', lab.internet.web.v4]);
    const talk = await openChat(lab, lab.internet.collector.v6);
    await waitFor(async () => (JSON.parse((await utmd.ctl(['devices', '--json'])).stdout) as { devices: { mac: string }[] }).devices.some((d) => d.mac === host.mac) || undefined,
      { what: 'the talking device in the inventory', timeoutMs: 60_000 });
    const q = await utmd.ctl(['device', 'quarantine', host.mac]);
    t.is(q.code, 0, q.stderr);
    await silenced(talk);
    t.regex(talk.stdout(), /^reply /m, 'the connection carried echoes before the quarantine');
    if (mode === 'bridge') return;
    const ct = await lab.exec(lab.box.ns, ['conntrack', '-L', '-f', 'ipv6', '-s', host.v6!]).catch(() => '');
    t.false(/ESTABLISHED.*dport=7007/.test(ct), `no established IPv6 entry from the device left:\n${ct}`);
  });
}

test.serial('bridge: an open connection dies when a feed refresh lists its peer', async (t) => {
  const l = await feedLab(t);
  l.writeFeed(['198.51.100.99']);
  await l.serve();
  const utmd = await l.start();
  t.true(['loaded', 'unchanged'].includes((await refresh(utmd))[0]?.result ?? ''), 'the feed is in force (utmd may have loaded it at start)');
  const peer = '203.0.113.95';
  const talk = await openChat(l.lab, peer);
  l.writeFeed(['198.51.100.99', peer]);
  t.like((await refresh(utmd))[0], { result: 'loaded' });
  await silenced(talk);
  t.true(await counterPackets(l.lab, 'bl_fbothdrop_out') > 0, 'the open connection\'s next packets met the feed\'s set and were dropped');
});
