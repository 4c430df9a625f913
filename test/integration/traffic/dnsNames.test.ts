// The DNS name sensor on the real box. Bridge mode: a real dnsmasq on the lab's internet side
// answers an office PC's lookups; utmd's capture (tcpdump 'udp src port 53' on the LAN port)
// learns which name each address had, only from a resolver it trusts; `utmctl names` shows it,
// and the PC's next connection to that address reaches the detectors with the name beside it
// (`utmctl flows`). Router mode: the PC asks the box's own dnsmasq, which forwards; the box's
// answers count without any configuration, and an IPv6 address learned from an AAAA record is
// the same text as in the flow records (a connection over IPv6 carries the name). All at real
// speed: what the detectors and the alert text do with a name (a named beacon, the allowlist by
// name) is replayed with a fake clock in test/unit/traffic/labStories.test.ts and feature.test.ts.
import test from 'ava';
import { createLab, type Lab } from '../../lab/lab.js';
import type { RecentFlow } from '../../../firmware/src/traffic/recentFlows.js';
import { startTcpListener, tcpProbe } from '../../lab/services.js';
import { startUtmd, type Utmd } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import { fastConntrack, provisioning, trafficConfig, waitFlows } from './helpers.js';

const RESOLVER = '192.0.2.53';       // trusted by config (an ISP resolver outside the office)
const ROGUE = '192.0.2.54';          // another server: its answers must not name anything
const C2 = '203.0.113.201';
const C2_NAME = 'c2.example';
const ROGUE_IP = '203.0.113.202';

/** Node's own resolver (c-ares, real UDP queries) in the LAN host: prints name → addresses. */
function lookupScript(server: string, name: string, type: 'resolve4' | 'resolve6' = 'resolve4'): string {
  return `const {Resolver}=require('dns').promises;const r=new Resolver({timeout:2000,tries:2});r.setServers(['${server}']);
r.${type}('${name}').then((a)=>{console.log(a.join(','));},(e)=>{console.error(String(e));process.exit(1);});`;
}

interface NamesView { names: Array<{ ip: string; name: string; canonical?: string; expires: number }> }

/** dnsmasq as an "internet" resolver: fixed answers only, never the host's own resolvers. */
function dnsmasq(addr: string, answers: string[]): string[] {
  return ['/usr/sbin/dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--bind-interfaces',
    `--listen-address=${addr}`, '--except-interface=lo', '--port=53', '--pid-file=', '--user=root', '--log-facility=-',
    ...answers.map((a) => `--address=${a}`)];
}

test.serial('bridge: names learned from a trusted resolver\'s answers show in utmctl and beside the PC\'s connections to them', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  await lab.exec(lab.ns.wan, ['ip', 'addr', 'add', `${ROGUE}/32`, 'dev', 'inet0']);
  await lab.spawn(lab.ns.wan, dnsmasq(RESOLVER, [`/${C2_NAME}/${C2}`]));
  await lab.spawn(lab.ns.wan, dnsmasq(ROGUE, [`/client.wns.notify.windows.com/${ROGUE_IP}`]));
  await startTcpListener(lab, lab.ns.wan, [{ addr: '0.0.0.0', port: 443 }]);
  const config = trafficConfig(lab, { dnsNames: { trustedServers: [RESOLVER] } });
  const utmd = await startUtmd(lab, { config, provisioning });
  await fastConntrack(lab);
  const host = lab.hosts[0]!;

  // The capture starts with the first apply; ask until an answer has been seen (tcpdump may
  // still be starting on the first try).
  const names = async (ip: string): Promise<NamesView> => JSON.parse((await utmd.ctl(['names', ip, '--json'])).stdout) as NamesView;
  await waitFor(async () => {
    t.is((await lab.exec(host.ns, [process.execPath, '-e', lookupScript(RESOLVER, C2_NAME)], { timeoutMs: 10_000 })).trim(), C2);
    return (await names(C2)).names[0];
  }, { what: `utmctl names to know ${C2}`, timeoutMs: 30_000, intervalMs: 500 });
  t.is((await names(C2)).names[0]?.name, C2_NAME);
  const human = await utmd.ctl(['names']);
  t.regex(human.stdout, new RegExp(`${C2.replace(/\./g, '\\.')}\\s+${C2_NAME.replace('.', '\\.')}`));

  // The rogue server answers too, but an untrusted answer names nothing (and is counted).
  t.is((await lab.exec(host.ns, [process.execPath, '-e', lookupScript(ROGUE, 'client.wns.notify.windows.com')], { timeoutMs: 10_000 })).trim(), ROGUE_IP);
  const dns = await waitFor(async () => {
    const s = await utmd.status() as { features: { traffic: { dns: { ignored: Record<string, number>; answers: number; names: number } } } };
    return (s.features.traffic.dns.ignored['untrusted_server'] ?? 0) >= 1 ? s.features.traffic.dns : undefined;
  }, { what: 'the rogue answer to be counted', timeoutMs: 15_000, intervalMs: 300 });
  t.true(dns.answers >= 1);
  t.deepEqual((await names(ROGUE_IP)).names, []);

  // The PC connects to the named controller and to the rogue's address: the detectors get the
  // first with its name beside it (what a finding's evidence names), the second without.
  t.true((await tcpProbe(host.ns, [{ addr: C2, port: 443 }, { addr: ROGUE_IP, port: 443 }], { timeoutMs: 10_000 })).every((r) => r.outcome === 'connected'));
  const [named, unnamed] = await namedFlows(lab, utmd, host.v4, [C2, ROGUE_IP]);
  t.like(named, { remoteIp: C2, remotePort: 443, direction: 'outbound', remoteName: C2_NAME });
  t.like(unnamed, { remoteIp: ROGUE_IP, remotePort: 443 });
  t.is(unnamed?.remoteName, undefined, 'an untrusted answer names nothing');
  const text = await utmd.ctl(['flows', '--device', host.v4]);
  t.true(text.stdout.includes(`-> ${C2}:443 (${C2_NAME})`), text.stdout);
});

/** Polls until utmd has judged the device's ended flows to each of `remotes`; returns the newest of each. */
async function namedFlows(lab: Lab, utmd: Utmd, device: string, remotes: string[]): Promise<Array<RecentFlow | undefined>> {
  const fs = await waitFlows(lab, utmd, device, (all) => {
    const ended = remotes.map((r) => all.find((f) => f.remoteIp === r && f.event === 'end'));
    return ended.every((f) => f !== undefined) ? all : undefined;
  }, `ended flows to ${remotes.join(', ')}`);
  return remotes.map((r) => fs.find((f) => f.remoteIp === r && f.event === 'end'));
}

const C2_V6 = '2001:db8:66::201';

test.serial('router: answers from the box\'s own dnsmasq name addresses with no configuration, IPv6 included', async (t) => {
  const lab = await createLab({ mode: 'router', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  // labUtmdConfig pins the box's forwarder to the lab's 192.0.2.53: answer there.
  t.is(lab.internet.feeds.v4, RESOLVER);
  await lab.spawn(lab.ns.wan, dnsmasq(RESOLVER, [`/${C2_NAME}/${C2}`, `/${C2_NAME}/${C2_V6}`]));
  await startTcpListener(lab, lab.ns.wan, [{ addr: '::', port: 443 }]); // AnyIP: the wildcard answers for C2_V6
  const utmd = await startUtmd(lab, { config: trafficConfig(lab), provisioning });
  await fastConntrack(lab);
  const host = lab.hosts[0]!;
  const gateway = lab.box.lanAddress.v4;
  const found = await waitFor(async () => {
    t.is((await lab.exec(host.ns, [process.execPath, '-e', lookupScript(gateway, C2_NAME)], { timeoutMs: 10_000 })).trim(), C2);
    return (JSON.parse((await utmd.ctl(['names', C2, '--json'])).stdout) as NamesView).names[0];
  }, { what: `utmctl names to know ${C2}`, timeoutMs: 30_000, intervalMs: 500 });
  t.is(found.name, C2_NAME);
  const s = await utmd.status() as { features: { traffic: { dns: { ignored: Record<string, number>; capture: Array<{ id: string; ok: boolean }> } } } };
  t.deepEqual(s.features.traffic.dns.ignored, {});
  t.deepEqual(s.features.traffic.dns.capture.map((c) => [c.id, c.ok]), [['capture', true]]);

  // AAAA: written in full by nobody, printed compressed by the parser as by ulogd2 (inet_ntop).
  t.is((await lab.exec(host.ns, [process.execPath, '-e', lookupScript(gateway, C2_NAME, 'resolve6')], { timeoutMs: 10_000 })).trim(), C2_V6);
  const v6 = await waitFor(async () => (JSON.parse((await utmd.ctl(['names', '2001:0db8:0066:0000:0000:0000:0000:0201', '--json'])).stdout) as NamesView).names[0],
    { what: `utmctl names to know ${C2_V6}`, timeoutMs: 15_000, intervalMs: 300 });
  t.deepEqual([v6.ip, v6.name], [C2_V6, C2_NAME]);
  // A connection over IPv6: the flow record's address (ulogd2's text) finds the name learned
  // from the AAAA record (the parser's text): one canonical form on both sides.
  const v6host = host.v6;
  if (v6host === undefined) throw new Error('the lab gives router-mode hosts IPv6');
  t.true((await tcpProbe(host.ns, [{ addr: C2_V6, port: 443 }], { timeoutMs: 10_000 }))[0]?.outcome === 'connected');
  const [flow] = await namedFlows(lab, utmd, v6host, [C2_V6]);
  t.like(flow, { family: 6, remoteIp: C2_V6, remotePort: 443, direction: 'outbound', remoteName: C2_NAME });
});
