// Real flows through the box: one office PC opens SMTP to 30 outside servers (mail abuse),
// another scans port 445 across 30 internet addresses (scan). Each becomes one incident, in
// utmctl, upstream (one message when it opens, escalates or gains a new kind, all naming it) and on the page.
import test from 'ava';
import { createLab } from '../../lab/lab.js';
import { startUdpCollector } from '../../lab/collector.js';
import { startTcpListener, tcpProbe } from '../../lab/services.js';
import { startUtmd } from '../../lab/utmd.js';
import { fastConntrack, incidents, pageIncidentIds, pageText, provisioning, trafficConfig, upstreamLines, waitIncident } from './helpers.js';

const servers = (n: number, port: number) => Array.from({ length: n }, (_, i) => ({ addr: `203.0.113.${i + 1}`, port }));

test.serial('bridge: SMTP to 30 servers is mail abuse and a port-445 sweep is a scan; each is one incident', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 2 });
  t.teardown(() => lab.destroy());
  const collector = await startUdpCollector(lab);
  await startTcpListener(lab, lab.ns.wan, [{ addr: '0.0.0.0', port: 25 }]);
  const utmd = await startUtmd(lab, { config: trafficConfig(lab), provisioning });
  await fastConntrack(lab);
  const [mailer, scanner] = [lab.hosts[0]!, lab.hosts[1]!];

  const sent = await tcpProbe(mailer.ns, servers(30, 25), { timeoutMs: 3000, sendBytes: 2000 });
  t.true(sent.filter((r) => r.outcome === 'connected').length >= 25, 'the SMTP servers answered');
  const swept = await tcpProbe(scanner.ns, servers(30, 445), { timeoutMs: 3000 });
  t.true(swept.every((r) => r.outcome !== 'connected'), 'nothing listens on 445');

  const mail = await waitIncident(utmd, mailer.v4, 'mail_abuse');
  const mailAlerts = mail.alerts.filter((a) => a.kind === 'mail_abuse');
  t.is(mailAlerts.length, 1, 'repeats update one alert');
  t.is(mail.severity, 'danger');
  t.true(Number(mailAlerts[0]!.evidence['distinctServers']) >= 5, 'the evidence counts distinct servers');

  const scan = await waitIncident(utmd, scanner.v4, 'scan');
  const scanAlert = scan.alerts.find((a) => a.kind === 'scan')!;
  t.is(scanAlert.evidence['port'], 445);
  t.true(Number(scanAlert.evidence['distinctHosts']) > 25);
  t.not(scan.id, mail.id, 'two devices, two incidents');

  const all = await incidents(utmd);
  t.is(all.filter((i) => i.device.ip === mailer.v4).length, 1, 'one incident for the mailer');
  t.is(all.filter((i) => i.device.ip === scanner.v4).length, 1, 'one incident for the scanner');

  // Upstream: every message about a device names its one incident; no flood.
  const mailLines = await upstreamLines(collector, mailer.v4, mail.id, 'mail_abuse');
  t.true(mailLines.length >= 1 && mailLines.length <= 2, `open (+ escalation) only: ${mailLines.length}`);
  t.true(mailLines.every((l) => l.includes(`[utmIncident@32473 id="${mail.id}"`)));
  const scanLines = await upstreamLines(collector, scanner.v4, scan.id, 'scan');
  t.is(scanLines.length, 1);

  // The page lists both incidents, the most severe (both danger) newest first, in plain words.
  const page = await pageText(lab);
  const ids = pageIncidentIds(page);
  t.true(ids.includes(mail.id) && ids.includes(scan.id));
  t.true(page.includes('LANケーブルを抜く'), 'what to do, in plain Japanese');
  t.true(page.includes('0120-000-000'), 'whom to call');
});

test.serial('utmctl: mute add/list/del round trip, and incidents/alerts in human form', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const utmd = await startUtmd(lab, { config: trafficConfig(lab), provisioning });
  const add = await utmd.ctl(['mute', 'add', '--device', '02-00-00-AA-BB-CC', '--remote', '203.0.113.0/24', '--for', '24h', '--kind', 'scan', '--reason', 'pen test', '--json']);
  t.is(add.code, 0, add.stderr);
  const m = JSON.parse(add.stdout) as { id: number; device: string; until: number };
  t.is(m.device, '02:00:00:aa:bb:cc');
  t.true(m.until > Date.now() + 23 * 3_600_000);
  const list = await utmd.ctl(['mute', 'list']);
  t.regex(list.stdout, /#\d+ device 02:00:00:aa:bb:cc remote 203\.0\.113\.0\/24 kind scan until /);
  t.not((await utmd.ctl(['mute', 'add', '--for', '1h'])).code, 0, 'a mute needs a device or a destination');
  t.is((await utmd.ctl(['mute', 'del', String(m.id)])).code, 0);
  t.is((await utmd.ctl(['mute', 'list', '--json'])).stdout.trim(), '[]');
  t.regex((await utmd.ctl(['incidents'])).stdout, /no incidents/);
  t.is((await utmd.ctl(['alerts'])).code, 0);
});
