// Router mode's DHCP and DNS, hardened (issue 16), with the real dnsmasq utmd supervises,
// real DHCP clients (busybox udhcpc and ISC dhclient) and a real "internet" resolver:
// - devices asking for a role name (wpad, WPAD., wpad.<domain>, localhost, the box's own
//   names) get a lease but not the name; a second try is an alert; refusals are counted;
// - a name an approved device holds is not given to an impostor;
// - names resolve under the local domain (and bare); special-use domains never go out;
// - an outside answer pointing into a private range is dropped, unless its domain is listed;
// - `ps` shows dnsmasq as its own user; its lease and pid files are writable by it only;
// - the office gets no IPv6 from the box (no router advertisements, no DHCPv6).
import test from 'ava';
import { readFile, stat } from 'node:fs/promises';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createLab, type Lab, type LabHost } from '../../lab/lab.js';
import { labProvisioning, labUtmdConfig, startUtmd, type Utmd } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import type { Alert } from '../../../firmware/src/alerts/types.js';
import { serviceEnvironment } from '../../bench/compiled.js';
import { IOS, privateMac, resolveIn, runDhclient, runUdhcpc, WINDOWS_10 } from './clients.js';

const RESOLVER = '192.0.2.53'; // lab.internet.feeds.v4: labUtmdConfig pins the box's forwarder here
const BOX_ID = 'box-names-0001';
const NOT_FORWARDED = '198.18.0.99'; // what the internet resolver says for names that must stay local

/** dnsmasq as the ISP's resolver: fixed answers only. */
function internetResolver(answers: string[]): string[] {
  return ['/usr/sbin/dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--bind-interfaces',
    `--listen-address=${RESOLVER}`, '--except-interface=lo', '--port=53', '--pid-file=', '--user=root', '--log-facility=-',
    ...answers.map((a) => `--address=${a}`)];
}

interface DnsmasqStatus { user: string | null; namesReloads: number; health: { ok: boolean; pid?: number } | null;
  names: { refusals: number; role: number; held: number; findings: number } | null }
async function dnsmasqStatus(utmd: Utmd): Promise<DnsmasqStatus> {
  return ((await utmd.status()) as { features: { devices: { dnsmasq: DnsmasqStatus } } }).features.devices.dnsmasq;
}

async function leaseName(utmd: Utmd, mac: string): Promise<string | undefined> {
  const text = await readFile(join(utmd.stateDir, 'dnsmasq', 'dnsmasq.leases'), 'utf8');
  return text.split('\n').map((l) => l.split(' ')).find((f) => f[1] === mac)?.[3];
}

async function device(lab: Lab): Promise<LabHost> {
  return lab.addLanHost({ mac: privateMac(), addressing: 'none' });
}

test.serial('router: role and held names are never registered, rebinding is refused, dnsmasq runs as its own user, no IPv6 is offered', async (t) => {
  const lab = await createLab({ mode: 'router', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  await lab.spawn(lab.ns.wan, internetResolver([
    '/rebind.attacker-lab.net/192.168.1.10', '/loop.attacker-lab.net/169.254.1.1', '/nas.provider-lab.jp/192.168.1.20',
    '/ula.attacker-lab.net/fd00::10',
    `/www.example/${lab.internet.web.v4}`, `/lan/${NOT_FORWARDED}`, `/test/${NOT_FORWARDED}`, `/local/${NOT_FORWARDED}`, `/wpad/${NOT_FORWARDED}`,
  ]));
  const config = labUtmdConfig(lab, []);
  config['router'] = { ...(config['router'] as object), dnsRebindAllowed: ['example', 'provider-lab.jp'], boxName: 'otasuke' };
  // as under the unit: a runtime dir of its own (0700, as RuntimeDirectoryMode says) for dnsmasq's config, names and pid
  const runtimeDir = join(lab.dir, 'run');
  mkdirSync(runtimeDir, { mode: 0o700 });
  // and the unit's environment, GLIBC_TUNABLES among it (checked below: for utmd alone)
  const unitEnv = serviceEnvironment();
  const utmd = await startUtmd(lab, { config, provisioning: labProvisioning(BOX_ID, { learningDays: 0 }), env: { ...unitEnv, RUNTIME_DIRECTORY: runtimeDir } });
  const running = await waitFor(async () => { const s = await dnsmasqStatus(utmd); return s?.health?.ok && s.health.pid ? s : undefined; },
    { what: 'dnsmasq running', timeoutMs: 20_000 });
  const office = lab.hosts[0]!; // a PC with a fixed address, asking the box for names
  const gw = lab.box.lanAddress.v4;
  const ask = (name: string, rr: 'A' | 'AAAA' = 'A'): Promise<string[] | string> => resolveIn(lab, office.ns, gw, name, rr);

  // --- dnsmasq's user and files -----------------------------------------------------------
  const ps = (await lab.exec(lab.ns.box, ['ps', '-o', 'user:32=,comm=', '-p', String(running.health!.pid)])).trim().split(/\s+/);
  t.deepEqual(ps, ['otasuke-dnsmasq', 'dnsmasq'], 'ps shows dnsmasq as its own user');
  // the unit's malloc tunables are utmd's own: dnsmasq, like every child, runs on glibc's defaults
  const environ = async (pid: number): Promise<string[]> => (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
  t.truthy(unitEnv['GLIBC_TUNABLES'], 'utmd.service sets GLIBC_TUNABLES');
  t.true((await environ(utmd.proc.pid)).includes(`GLIBC_TUNABLES=${unitEnv['GLIBC_TUNABLES']}`), 'utmd starts with them');
  t.false((await environ(running.health!.pid!)).some((e) => e.startsWith('GLIBC_TUNABLES=')), 'dnsmasq does not get them');
  const passwd = (await lab.exec(lab.ns.box, ['getent', 'passwd', 'otasuke-dnsmasq'])).trim().split(':');
  t.not(passwd[2], '0');
  t.is(passwd[6], '/usr/sbin/nologin');
  const uid = Number(passwd[2]);
  // the leases in the state dir (they outlive a reboot); pid and names on the runtime dir's tmpfs
  for (const f of [join(utmd.stateDir, 'dnsmasq', 'dnsmasq.leases'), join(runtimeDir, 'dnsmasq', 'dnsmasq.pid')]) {
    const st = await waitFor(async () => stat(f).catch(() => undefined), { what: f, timeoutMs: 10_000 });
    t.is(st.uid, uid, `${f} belongs to otasuke-dnsmasq`);
    t.is(st.mode & 0o022, 0, `${f}: nobody else may write it`);
  }
  for (const d of [join(utmd.stateDir, 'dnsmasq'), join(runtimeDir, 'dnsmasq')]) {
    const dir = await stat(d);
    t.deepEqual([dir.uid, dir.gid, dir.mode & 0o777], [0, Number(passwd[3]), 0o750], `${d} is root's: dnsmasq cannot plant other files there`);
  }
  const rt = await stat(runtimeDir);
  t.deepEqual([rt.gid, rt.mode & 0o777], [Number(passwd[3]), 0o710], 'the runtime dir: dnsmasq\'s group may pass, not list');
  const names = await stat(join(runtimeDir, 'dnsmasq', 'names.hosts'));
  t.deepEqual([names.uid, names.mode & 0o777], [0, 0o640], 'the names file: root writes, dnsmasq reads');
  t.true(statSync(join(runtimeDir, 'dnsmasq.conf')).isFile(), 'the config on the runtime dir');

  // --- names a device may not take --------------------------------------------------------
  const clients: Array<{ name: string; via: 'udhcpc' | 'dhclient' }> = [
    { name: 'wpad', via: 'udhcpc' }, { name: 'WPAD.', via: 'dhclient' }, { name: 'wpad.corp.example', via: 'udhcpc' },
    { name: 'localhost', via: 'dhclient' }, { name: 'LOCALHOST', via: 'udhcpc' }, { name: 'otasuke', via: 'udhcpc' },
    { name: 'Box-Names-0001', via: 'dhclient' },
  ];
  const refused: Array<{ host: LabHost; address: string; name: string }> = [];
  for (const c of clients) {
    const host = await device(lab);
    const address = c.via === 'udhcpc' ? (await runUdhcpc(lab, host, c.name)).address : (await runDhclient(lab, host, { ...WINDOWS_10, hostname: c.name })).address;
    t.regex(address, /^192\.168\.77\.(12[89]|1[3-9]\d|2[0-4]\d|25[0-4])$/, `${c.name} (${c.via}) gets a lease`);
    refused.push({ host, address, name: c.name });
  }
  // An ordinary PC of each client keeps its name, under the local domain and bare.
  const keiri = await device(lab);
  const keiriAddr = (await runDhclient(lab, keiri, { ...WINDOWS_10, hostname: 'Keiri-PC' })).address;
  const soumu = await device(lab);
  const soumuAddr = (await runUdhcpc(lab, soumu, 'soumu-pc')).address;
  t.deepEqual(await waitFor(async () => { const a = await ask('keiri-pc.lan'); return Array.isArray(a) ? a : undefined; },
    { what: 'keiri-pc.lan', timeoutMs: 10_000 }), [keiriAddr]);
  t.deepEqual(await ask('KEIRI-PC.LAN'), [keiriAddr]);
  t.deepEqual(await ask('keiri-pc'), [keiriAddr]);
  t.deepEqual(await ask('soumu-pc.lan'), [soumuAddr]);
  t.deepEqual(await ask('otasuke.lan'), [gw], 'the box\'s own name');
  t.deepEqual(await ask('otasuke'), [gw]);
  for (const n of ['wpad', 'wpad.lan', 'WPAD.lan', 'box-names-0001.lan', 'localhost.lan']) {
    const a = await ask(n);
    t.false(Array.isArray(a) && a.some((x) => x.startsWith('192.168.77.')), `${n} names no office device: ${JSON.stringify(a)}`);
  }
  t.deepEqual(await ask('localhost'), ['127.0.0.1'], 'localhost is loopback, answered by the box');
  for (const r of refused) t.is(await leaseName(utmd, r.host.mac), '*', `${r.name}: lease without a name`);
  t.is(await leaseName(utmd, keiri.mac), 'Keiri-PC');

  // Each refusal is counted (one per DHCP exchange) and shown to the technician.
  const counted = await waitFor(async () => { const s = await dnsmasqStatus(utmd); return (s.names?.refusals ?? 0) >= clients.length ? s : undefined; },
    { what: 'refusals counted', timeoutMs: 15_000 });
  t.is(counted.names!.role, clients.length);
  t.is(counted.names!.findings, 0, 'asking once is no finding');
  const cond = ((await utmd.status()) as { conditions: Array<{ id: string; ok: boolean; detail?: string }> }).conditions.find((c) => c.id === 'dhcp:names');
  t.regex(cond?.detail ?? '', new RegExp(`host names refused: ${clients.length} `));
  t.regex((await utmd.ctl(['status'])).stdout, /dhcp:names .*host names refused: \d+ \(role \d+, held 0\)/);
  // The page's technician section, as an office PC's browser gets it.
  const page = (await lab.exec(office.ns, [process.execPath, '-e',
    `require('http').get('http://${gw}/',(r)=>{let b='';r.setEncoding('utf8');r.on('data',(d)=>b+=d);r.on('end',()=>process.stdout.write(b));})`], { timeoutMs: 15_000 }));
  t.regex(page, /dhcp:names[\s\S]*host names refused: \d+/);

  // The same device asking again is a finding, with plain text.
  const again = refused[0]!;
  await runUdhcpc(lab, again.host, 'wpad');
  const alert = await waitFor(async () => (JSON.parse((await utmd.ctl(['alerts', '--json'])).stdout) as Alert[])
    .find((a) => a.kind === 'dhcp_name_refused' && a.device.mac === again.host.mac), { what: 'the repeat alert', timeoutMs: 20_000 });
  t.is(alert.params['name'], 'wpad');
  const text = (await utmd.ctl(['alerts'])).stdout;
  t.true(text.includes('wpad'), text);

  // --- a name an approved device holds ----------------------------------------------------
  t.is((await utmd.ctl(['device', 'approve', keiri.mac])).code, 0);
  const reloaded = await waitFor(async () => { const s = await dnsmasqStatus(utmd); return s.namesReloads >= 1 && s.health?.ok ? s : undefined; },
    { what: 'dnsmasq re-read the held names', timeoutMs: 20_000 });
  t.is(reloaded.health?.pid, running.health?.pid, 'a reload, not a restart');
  const impostor = await device(lab);
  await runUdhcpc(lab, impostor, 'KEIRI-PC.');
  const impostor2 = await device(lab);
  await runDhclient(lab, impostor2, { ...IOS, hostname: 'keiri-pc' });
  t.is(await leaseName(utmd, impostor.mac), '*');
  t.is(await leaseName(utmd, impostor2.mac), '*');
  t.deepEqual(await ask('keiri-pc.lan'), [keiriAddr], 'the name still leads to the approved PC');
  const held = await waitFor(async () => { const s = await dnsmasqStatus(utmd); return (s.names?.held ?? 0) >= 2 ? s : undefined; },
    { what: 'held refusals counted', timeoutMs: 15_000 });
  t.true(held.names!.held >= 2);

  // The owner switched off (lease released): its name is still not for others.
  const nas = await device(lab);
  (await runUdhcpc(lab, nas, 'NAS-01', { stay: true })).release();
  await waitFor(async () => ((await leaseName(utmd, nas.mac)) === undefined ? true : undefined), { what: 'the NAS lease released', timeoutMs: 15_000 });
  await waitFor(async () => (JSON.parse((await utmd.ctl(['devices', '--json'])).stdout) as { devices: Array<{ mac: string }> }).devices.find((d) => d.mac === nas.mac),
    { what: 'the NAS in the inventory', timeoutMs: 15_000 });
  t.is((await utmd.ctl(['device', 'label', nas.mac, '共有フォルダーの機器'])).code, 0, 'labelled, not approved: holds its name too');
  await waitFor(async () => ((await dnsmasqStatus(utmd)).namesReloads >= 2 ? true : undefined), { what: 'names re-read', timeoutMs: 20_000 });
  const squatter = await device(lab);
  const squatterAddr = (await runDhclient(lab, squatter, { ...WINDOWS_10, hostname: 'nas-01' })).address;
  t.is(await leaseName(utmd, squatter.mac), '*', 'no name while its owner is away');
  t.false(JSON.stringify(await ask('nas-01.lan')).includes(squatterAddr));
  const back = (await runUdhcpc(lab, nas, 'nas-01')).address;
  t.deepEqual(await waitFor(async () => { const a = await ask('nas-01.lan'); return Array.isArray(a) ? a : undefined; }, { what: 'nas-01.lan', timeoutMs: 10_000 }), [back],
    'the owner has its name back');

  // --- rebinding, special-use and local names ----------------------------------------------
  t.deepEqual(await ask('www.example'), [lab.internet.web.v4], 'forwarding works (control)');
  // Controls: the internet resolver itself gives these private answers.
  t.deepEqual(await resolveIn(lab, lab.ns.wan, RESOLVER, 'rebind.attacker-lab.net'), ['192.168.1.10']);
  t.deepEqual(await resolveIn(lab, lab.ns.wan, RESOLVER, 'ula.attacker-lab.net', 'AAAA'), ['fd00::10']);
  t.not(JSON.stringify(await ask('rebind.attacker-lab.net')), '["192.168.1.10"]', 'a private answer from outside is dropped');
  t.false(Array.isArray(await ask('rebind.attacker-lab.net')));
  t.false(Array.isArray(await ask('loop.attacker-lab.net')), 'link-local too');
  t.false(Array.isArray(await ask('ula.attacker-lab.net', 'AAAA')), 'IPv6 unique-local too');
  t.deepEqual(await ask('nas.provider-lab.jp'), ['192.168.1.20'], 'a listed domain may point into the office');
  // Not an open resolver: nothing answers from the internet side.
  t.false(Array.isArray(await resolveIn(lab, lab.ns.wan, lab.box.wanAddress.v4, 'www.example')), 'no DNS answers on the WAN side');
  for (const n of ['nothing.lan', 'printer.test', 'printer.local', 'wpad']) {
    const a = await ask(n);
    t.false(Array.isArray(a) && a.includes(NOT_FORWARDED), `${n} is answered by the box, never asked outside: ${JSON.stringify(a)}`);
  }

  // --- IPv6: none offered ------------------------------------------------------------------
  const sockets = await lab.exec(lab.ns.box, ['ss', '-H', '-l', '-n', '-u', '-w', '-p']);
  const ours = sockets.split('\n').filter((l) => l.includes('"dnsmasq"'));
  t.true(ours.some((l) => /:67\s/.test(l)), 'DHCPv4 is served');
  t.false(ours.some((l) => /:547\s/.test(l)), 'no DHCPv6 server');
  t.false(ours.some((l) => /ipv6-icmp|:58\s/.test(l) || l.startsWith('raw')), 'no router advertisement socket');
  const v6 = await lab.exec(keiri.ns, ['ip', '-6', '-o', 'addr', 'show', 'dev', keiri.ifname, 'scope', 'global']);
  t.is(v6.trim(), '', 'a DHCP client got no IPv6 address');
  t.is((await lab.exec(keiri.ns, ['ip', '-6', 'route', 'show', 'default'])).trim(), '', 'and no IPv6 default route');
});
