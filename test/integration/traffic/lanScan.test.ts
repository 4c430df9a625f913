// Real flows through the box: an office PC scans port 445 across 30 office addresses on the
// other side of the box (a worm spreading over SMB). In bridge mode the box sees LAN-to-LAN
// traffic only where it crosses the bridge, i.e. between two of its office ports: here the PC
// sits behind eth1 (the switch) and the targets behind eth2 (a second room). The same PC
// sweeping port 139 across 30 neighbours on its own switch is never forwarded by the box, so
// it cannot be seen: that blind spot is asserted too, so a change in it is noticed.
import test from 'ava';
import { createLab } from '../../lab/lab.js';
import { startUdpCollector } from '../../lab/collector.js';
import { tcpProbe } from '../../lab/services.js';
import { startUtmd } from '../../lab/utmd.js';
import { addAddress } from '../../lab/netns.js';
import { fastConntrack, incidents, pageIncidentIds, pageText, provisioning, trafficConfig, upstreamLines, waitIncident } from './helpers.js';

/** n office addresses 192.168.77.(first..first+n-1): inside the lab's LAN prefix, clear of the planned hosts (.101+). */
const lanAddresses = (first: number, n: number): string[] => Array.from({ length: n }, (_, i) => `192.168.77.${first + i}`);

test.serial('bridge: a port-445 sweep from one office port to 30 addresses behind another is one scan incident', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 2, secondLanPort: true });
  t.teardown(() => lab.destroy());
  const otherRoom = lanAddresses(10, 30);   // behind the box's eth2
  const sameSwitch = lanAddresses(50, 30);  // on lan2, behind the same switch as the scanner
  for (const a of otherRoom) await lab.addSegment2Address(a);
  const [scanner, neighbour] = [lab.hosts[0]!, lab.hosts[1]!];
  for (const a of sameSwitch) await addAddress(neighbour.ns, neighbour.ifname, `${a}/24`);
  const collector = await startUdpCollector(lab);
  const utmd = await startUtmd(lab, { config: trafficConfig(lab), provisioning });
  await fastConntrack(lab);

  // Nothing listens on 139 or 445: every attempt is refused, as most of a worm's are.
  const local = await tcpProbe(scanner.ns, sameSwitch.map((addr) => ({ addr, port: 139 })), { timeoutMs: 1000 });
  t.true(local.every((r) => r.outcome === 'refused'), `same-switch sweep reached its targets: ${JSON.stringify(local.slice(0, 3))}`);
  const swept = await tcpProbe(scanner.ns, otherRoom.map((addr) => ({ addr, port: 445 })), { timeoutMs: 1000 });
  t.true(swept.every((r) => r.outcome === 'refused'), `cross-port sweep reached its targets: ${JSON.stringify(swept.slice(0, 3))}`);

  const inc = await waitIncident(utmd, scanner.v4, 'scan');
  const scans = inc.alerts.filter((a) => a.kind === 'scan');
  t.is(scans.length, 1, `one scan alert: ${JSON.stringify(scans.map((a) => a.evidence))}`);
  const scan = scans[0]!;
  t.is(scan.direction, 'lan');
  t.is(scan.evidence['pattern'], 'address_scan');
  t.is(scan.evidence['port'], 445);
  t.true(Number(scan.evidence['distinctHosts']) > 25, JSON.stringify(scan.evidence));
  const sample = scan.evidence['sampleHosts'] as string[];
  t.true(sample.length > 0 && sample.every((h) => otherRoom.includes(h)), `targets are the other room's: ${sample.join(' ')}`);
  t.true(scan.remote !== null && otherRoom.includes(scan.remote.ip));

  const all = await incidents(utmd);
  t.is(all.filter((i) => i.device.ip === scanner.v4).length, 1, 'one incident for the scanner');
  t.false(all.some((i) => i.alerts.some((a) => a.evidence['port'] === 139)), 'the same-switch sweep never crossed the box');

  const lines = await upstreamLines(collector, scanner.v4, inc.id, 'scan');
  t.is(lines.length, 1, lines.join('\n'));
  const page = await pageText(lab);
  t.true(pageIncidentIds(page).includes(inc.id));
  t.true(page.includes('社内のほかの機器を次々に調べている機器があります'), 'the page says it is other office machines being probed');
});

test.serial('bridge: the same sweep over IPv6 between the two office ports is one scan incident too', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1, secondLanPort: true });
  t.teardown(() => lab.destroy());
  const otherRoom = Array.from({ length: 30 }, (_, i) => `2001:db8:77::${(0x10 + i).toString(16)}`);
  for (const a of otherRoom) await lab.addSegment2Address(a);
  const scanner = lab.hosts[0]!;
  const collector = await startUdpCollector(lab);
  const utmd = await startUtmd(lab, { config: trafficConfig(lab), provisioning });
  await fastConntrack(lab);

  const swept = await tcpProbe(scanner.ns, otherRoom.map((addr) => ({ addr, port: 445 })), { timeoutMs: 1000 });
  t.true(swept.every((r) => r.outcome === 'refused'), `sweep reached its targets: ${JSON.stringify(swept.slice(0, 3))}`);

  const v6 = scanner.v6!;
  const inc = await waitIncident(utmd, v6, 'scan');
  const scan = inc.alerts.find((a) => a.kind === 'scan')!;
  t.is(scan.direction, 'lan');
  t.is(scan.evidence['port'], 445);
  t.true(Number(scan.evidence['distinctHosts']) > 25, JSON.stringify(scan.evidence));
  t.true((scan.evidence['sampleHosts'] as string[]).every((h) => otherRoom.includes(h)));
  t.is((await incidents(utmd)).filter((i) => i.device.ip === v6).length, 1);
  t.is((await upstreamLines(collector, v6, inc.id, 'scan')).length, 1);
});
