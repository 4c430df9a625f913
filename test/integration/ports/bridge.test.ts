// Bridge mode, port roles from evidence: with the office router in either port and no port
// names configured, the box works out which is which from where the router's MAC is learned;
// the page answers from the office and never from the router's side, and the office's
// traffic is forwarded. A configured port that does not exist, or that is renamed while utmd
// runs, is a condition (never green) while the office keeps working; a router plugged in only
// after utmd started is found then, and until then the page answers nowhere; a second DHCP
// server on the office side contradicts the plan and is re-planned to the conservative state.
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '../../lab/poll.js';
import { createLab } from '../../lab/lab.js';
import { startUtmd, labUtmdConfig, labProvisioning } from '../../lab/utmd.js';
import { pageText } from '../traffic/helpers.js';
import { internetWeb, pageFrom, status, tryLease, waitForwarded, waitPage, waitPorts, waitPortsCondition } from './helpers.js';

const provisioning = labProvisioning('box-ports-b1');

for (const swap of [false, true]) {
  test.serial(`bridge, no ports configured, router cabled to ${swap ? 'eth1' : 'eth0'}: worked out, page from the office only, traffic forwarded`, async (t) => {
    const lab = await createLab({ mode: 'bridge', swapBoxPorts: swap });
    t.teardown(() => lab.destroy());
    const web = await internetWeb(lab);
    const config = { ...labUtmdConfig(lab), interfaces: { bridge: 'br0' } };
    const utmd = await startUtmd(lab, { config, provisioning });
    const ports = await waitPorts(utmd, (p) => p.proven, 'the ports worked out');
    t.is(ports.wan, lab.box.wanIf);
    t.deepEqual(ports.served, [lab.box.lanIf]);
    const office = lab.hosts[0]!.ns;
    await waitPage(lab, office);
    await waitForwarded(lab, office, web);
    t.is(await pageFrom(lab, lab.ns.wan), 'timeout', 'the page never answers on the router\'s side');
    t.true((await status(utmd)).conditions.find((c) => c.id === 'ports')?.ok, 'the ports condition is green');
  });
}

test.serial('bridge: a configured WAN port that does not exist is a condition shown on the page; the evidence keeps the office working', async (t) => {
  const lab = await createLab({ mode: 'bridge' });
  t.teardown(() => lab.destroy());
  const web = await internetWeb(lab);
  const config = { ...labUtmdConfig(lab), interfaces: { wan: 'eth9', bridge: 'br0' } };
  const utmd = await startUtmd(lab, { config, provisioning });
  const detail = await waitPortsCondition(utmd, /eth9 does not exist/);
  t.regex(detail, /WAN eth0/);
  const office = lab.hosts[0]!.ns;
  await waitPage(lab, office);
  await waitForwarded(lab, office, web);
  const page = await pageText(lab);
  t.true(page.includes('ケーブルのつなぎ方をまだ確かめられていません'), 'the page says it in plain words');
});

test.serial('bridge: the office port renamed while utmd runs → re-planned without a restart, condition shown, office still served', async (t) => {
  const lab = await createLab({ mode: 'bridge' });
  t.teardown(() => lab.destroy());
  const web = await internetWeb(lab);
  const utmd = await startUtmd(lab, { provisioning });
  await waitPorts(utmd, (p) => p.proven && p.served.includes('eth1'), 'the configured ports confirmed');
  const office = lab.hosts[0]!.ns;
  await waitPage(lab, office);
  const pid = utmd.proc.pid;
  await lab.renameBoxPort('eth1', 'lan0');
  await waitPortsCondition(utmd, /LAN port eth1 does not exist/);
  await waitPorts(utmd, (p) => p.served.includes('lan0'), 'the renamed port served');
  await waitPage(lab, office);
  await waitForwarded(lab, office, web);
  t.is(utmd.proc.pid, pid, 'no restart');
  t.is(utmd.proc.exitStatus(), undefined);
});

test.serial('bridge: a router plugged in only after utmd started: until then the page answers nowhere; then it is found', async (t) => {
  const lab = await createLab({ mode: 'bridge', routerUnplugged: true });
  t.teardown(() => lab.destroy());
  const web = await internetWeb(lab);
  const config = { ...labUtmdConfig(lab), interfaces: { bridge: 'br0' } };
  const utmd = await startUtmd(lab, { config, provisioning });
  const office = lab.hosts[0]!.ns;
  // Give the watcher a few readings: nothing proves the roles, so nothing is served.
  await waitPorts(utmd, (p) => !p.proven && p.problems.some((x) => x.code === 'no-evidence'), 'ports unproven');
  t.is(await pageFrom(lab, office), 'timeout', 'no page on an unproven port');
  await waitPortsCondition(utmd, /not yet worked out/);
  await lab.plugRouter();
  const ports = await waitPorts(utmd, (p) => p.proven, 'the ports worked out once the router is there');
  t.is(ports.wan, 'eth0');
  await waitPage(lab, office);
  await waitForwarded(lab, office, web);
  t.true((await status(utmd)).conditions.find((c) => c.id === 'ports')?.ok);
});

test.serial('bridge: a second DHCP server appears on the office side → re-planned to the conservative state, said, forwarding goes on', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 2 });
  t.teardown(() => lab.destroy());
  const web = await internetWeb(lab);
  const utmd = await startUtmd(lab, { provisioning });
  await waitPorts(utmd, (p) => p.proven, 'the configured ports confirmed');
  const office = lab.hosts[0]!.ns;
  await waitPage(lab, office);
  // Someone plugs a home router into the office: its DHCP server answers (broadcast) there.
  const rogue = lab.hosts[1]!;
  const conf = join(lab.dir, 'rogue-dnsmasq.conf');
  await writeFile(conf, ['port=0', 'bind-interfaces', `interface=${rogue.ifname}`, 'dhcp-range=192.168.77.50,192.168.77.60,255.255.255.0,600s',
    'dhcp-broadcast', 'dhcp-authoritative', `dhcp-leasefile=${join(lab.dir, 'rogue.leases')}`, `pid-file=${join(lab.dir, 'rogue.pid')}`, 'user=root', ''].join('\n'));
  await lab.spawn(rogue.ns, ['/usr/sbin/dnsmasq', '--keep-in-foreground', `--conf-file=${conf}`, '--log-facility=-']);
  const pc = await lab.addLanHost({ addressing: 'none' });
  const lease = await tryLease(lab, pc, 30_000);
  t.truthy(lease, 'the rogue server answered the new PC');
  const detail = await waitPortsCondition(utmd, /more than one port \(eth0, eth1\)/);
  t.regex(detail, /not yet worked out/);
  await waitFor(async () => (await pageFrom(lab, office)) === 'timeout', { what: 'the page to stop answering', timeoutMs: 30_000, intervalMs: 500 });
  await waitForwarded(lab, office, web);
  t.is(utmd.proc.exitStatus(), undefined, 'no restart');
});
