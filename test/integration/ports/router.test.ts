// Router mode, port roles from evidence: with the ISP's router on either port and no port
// names configured, the box finds the router (the gateway's neighbour entry) and serves DHCP
// only on the office side: the office gets a lease and reaches the internet, a host on the
// ISP side never gets a lease. A configuration the cabling contradicts serves DHCP nowhere
// and says so; a configured port that does not exist is a condition; an ISP router that
// appears only after utmd started is found then, and until then nobody gets a lease.
import test from 'ava';
import { createLab } from '../../lab/lab.js';
import { startUtmd, labUtmdConfig, labProvisioning } from '../../lab/utmd.js';
import { tcpProbe } from '../../lab/services.js';
import { internetWeb, ispHost, pageFrom, status, tryLease, waitPage, waitPorts, waitPortsCondition, waitReadings } from './helpers.js';

const provisioning = labProvisioning('box-ports-r1');
/** How long a client that must NOT get a lease keeps asking (a negative needs some time). */
const NO_LEASE_MS = 15_000;

for (const swap of [false, true]) {
  test.serial(`router, no ports configured, ISP cabled to ${swap ? 'eth1' : 'eth0'}: office lease and internet; no lease on the ISP side`, async (t) => {
    const lab = await createLab({ mode: 'router', swapBoxPorts: swap, ispHost: true, lanAddressing: 'none' });
    t.teardown(() => lab.destroy());
    const web = await internetWeb(lab);
    const config = { ...labUtmdConfig(lab), interfaces: {}, lan: {} };
    const utmd = await startUtmd(lab, { config, provisioning });
    const ports = await waitPorts(utmd, (p) => p.proven, 'the ports worked out');
    t.is(ports.wan, lab.box.wanIf);
    void ports;
    const [office, isp] = await Promise.all([tryLease(lab, lab.hosts[0]!, 40_000), tryLease(lab, ispHost(lab), NO_LEASE_MS)]);
    t.truthy(office, 'the office PC got a lease');
    t.regex(office?.address ?? '', /^192\.168\.77\./);
    t.is(isp, null, 'the ISP-side host got no lease from the box');
    t.is((await tcpProbe(lab.hosts[0]!.ns, [web], { timeoutMs: 3000 }))[0]?.outcome, 'connected', 'the office reaches the internet');
    t.is(await pageFrom(lab, lab.hosts[0]!.ns), 'connected', 'the page answers the office');
    t.true((await status(utmd)).conditions.find((c) => c.id === 'ports')?.ok);
  });
}

test.serial('router: cables plugged the wrong way round (addresses still by port name) → DHCP served nowhere, never to the ISP side', async (t) => {
  const lab = await createLab({ mode: 'router', swapBoxPorts: true, addressesFollowCables: false, ispHost: true, lanAddressing: 'none' });
  t.teardown(() => lab.destroy());
  const config = { ...labUtmdConfig(lab), interfaces: {}, lan: {} };
  const utmd = await startUtmd(lab, { config, provisioning });
  await waitReadings(utmd);
  const [office, isp] = await Promise.all([tryLease(lab, lab.hosts[0]!, NO_LEASE_MS), tryLease(lab, ispHost(lab), NO_LEASE_MS)]);
  t.is(isp, null, 'the ISP-side host got no lease from the box');
  t.is(office, null, 'nor the office, whose port the box cannot prove');
  await waitPortsCondition(utmd, /not yet worked out/);
  t.false((await status(utmd)).ports.proven);
});

test.serial('router: configured WAN eth0 but the ISP is on eth1 → a condition, DHCP served nowhere', async (t) => {
  const lab = await createLab({ mode: 'router', swapBoxPorts: true, ispHost: true, lanAddressing: 'none' });
  t.teardown(() => lab.destroy());
  const config = { ...labUtmdConfig(lab), interfaces: { wan: 'eth0', lan: ['eth1'] } };
  const utmd = await startUtmd(lab, { config, provisioning });
  const detail = await waitPortsCondition(utmd, /configured WAN port eth0 shows no router, but port eth1 does/);
  t.regex(detail, /not yet worked out/);
  await waitReadings(utmd);
  const [office, isp] = await Promise.all([tryLease(lab, lab.hosts[0]!, NO_LEASE_MS), tryLease(lab, ispHost(lab), NO_LEASE_MS)]);
  t.is(office, null, 'no lease while the ports contradict the configuration');
  t.is(isp, null, 'and never one on the ISP side');
  const s = await status(utmd);
  t.false(s.ports.proven);
  t.false(s.conditions.every((c) => c.ok), 'never all green');
});

test.serial('router: a configured WAN port that does not exist is a condition; the evidence still serves the office', async (t) => {
  const lab = await createLab({ mode: 'router', ispHost: true, lanAddressing: 'none' });
  t.teardown(() => lab.destroy());
  const config = { ...labUtmdConfig(lab), interfaces: { wan: 'eth9' } };
  const utmd = await startUtmd(lab, { config, provisioning });
  await waitPortsCondition(utmd, /WAN port eth9 does not exist/);
  const [office, isp] = await Promise.all([tryLease(lab, lab.hosts[0]!, 40_000), tryLease(lab, ispHost(lab), NO_LEASE_MS)]);
  t.truthy(office, 'the office PC got a lease');
  t.is(isp, null, 'the ISP-side host got none');
  t.false((await status(utmd)).conditions.find((c) => c.id === 'ports')?.ok);
});

test.serial('router: the ISP router plugged in only after utmd started → no lease until then, then served without a restart', async (t) => {
  const lab = await createLab({ mode: 'router', routerUnplugged: true, lanAddressing: 'none' });
  t.teardown(() => lab.destroy());
  const web = await internetWeb(lab);
  const config = { ...labUtmdConfig(lab), interfaces: {}, lan: {} };
  const utmd = await startUtmd(lab, { config, provisioning });
  await waitPorts(utmd, (p) => !p.proven && p.problems.some((x) => x.code === 'no-evidence'), 'ports unproven');
  t.is(await tryLease(lab, lab.hosts[0]!, NO_LEASE_MS), null, 'no lease while no port is proven');
  await waitPortsCondition(utmd, /not yet worked out/);
  const pid = utmd.proc.pid;
  await lab.plugRouter();
  await waitPorts(utmd, (p) => p.proven && p.wan === 'eth0', 'the ports worked out once the router is there');
  const office = await tryLease(lab, lab.hosts[0]!, 40_000);
  t.truthy(office, 'the office PC got a lease');
  t.is((await tcpProbe(lab.hosts[0]!.ns, [web], { timeoutMs: 3000 }))[0]?.outcome, 'connected');
  await waitPage(lab, lab.hosts[0]!.ns);
  t.is(utmd.proc.pid, pid, 'no restart');
});
