// The walking skeleton end to end, in both modes, on the real kernel: utmd enforces the
// policy, sees the blocked attempt through ulogd2, stores an alert, shows it on the page,
// answers utmctl and forwards RFC 5424 to a real rsyslog in the "internet".
import test from 'ava';
import { createLab } from '../lab/lab.js';
import { startUdpCollector } from '../lab/collector.js';
import { startTcpListener, tcpProbe } from '../lab/services.js';
import { startUtmd, labUtmdConfig, labProvisioning } from '../lab/utmd.js';
import { startUiBridge } from '../lab/uiBridge.js';
import { waitFor } from '../lab/poll.js';
import type { Alert } from '../../firmware/src/alerts/types.js';

const provisioning = labProvisioning('box-test-0001');

for (const mode of ['bridge', 'router'] as const) {
  test.serial(`${mode}: a blocked connection is dropped, alerted, shown, and forwarded; an allowed one passes`, async (t) => {
    const lab = await createLab({ mode, lanHosts: 2 });
    t.teardown(() => lab.destroy());
    const collector = await startUdpCollector(lab);
    const { malware, web } = lab.internet;
    await startTcpListener(lab, lab.ns.wan, [{ addr: malware.v4, port: 443 }, { addr: web.v4, port: 80 }]);
    const utmd = await startUtmd(lab, { config: labUtmdConfig(lab, [malware.v4]), provisioning });

    const host = lab.hosts[0]!;
    const [bad, good] = await tcpProbe(host.ns, [{ addr: malware.v4, port: 443 }, { addr: web.v4, port: 80 }], { timeoutMs: 1500 });
    t.is(bad?.outcome, 'timeout', 'the malware server is unreachable (dropped, not refused)');
    t.is(good?.outcome, 'connected', 'ordinary traffic passes');

    // The alert, as the technician sees it.
    const alert = await waitFor(async () => {
      const r = await utmd.ctl(['alerts', '--json']);
      const list = JSON.parse(r.stdout) as Alert[];
      return list.find((a) => a.kind === 'blocklist_hit' && a.remote?.ip === malware.v4);
    }, { what: 'a blocklist_hit alert in utmctl alerts --json', timeoutMs: 30_000 });
    t.is(alert.device.ip, host.v4);
    t.is(alert.direction, 'outbound');
    t.is(alert.action, 'blocked');
    t.true(alert.count >= 1);

    // Repeats within the cooldown update the same alert.
    await tcpProbe(host.ns, [{ addr: malware.v4, port: 443 }], { timeoutMs: 800 });
    await waitFor(async () => {
      const list = JSON.parse((await utmd.ctl(['alerts', '--json'])).stdout) as Alert[];
      const same = list.filter((a) => a.kind === 'blocklist_hit' && a.remote?.ip === malware.v4);
      return same.length === 1 && same[0]!.count > alert.count ? true : undefined;
    }, { what: 'the same alert counting the repeat', timeoutMs: 30_000 });

    // RFC 5424 at the collector in the wan namespace.
    const line = await collector.waitFor((l) => l.includes('blocklist_hit') && l.includes(malware.v4), 30_000);
    t.regex(line, /^<\d+>1 \S+ box-test-0001 otasuke-utm - blocklist_hit \[meta sequenceId="(\d+)"\]\[utmMsg@32473 seq="\1" class="alert"\]\[utm@32473 /);

    // The page, reached from the LAN side through the lab's bridge.
    const ui = await startUiBridge(lab, { hostPort: 0 });
    t.teardown(() => ui.stop());
    const page = await (await fetch(ui.url)).text();
    t.true(page.includes('0120-000-000'), 'the consultation desk is on the page');
    t.true(page.includes(malware.v4), 'the alert is on the page');
    const health = (await (await fetch(new URL('/api/health', ui.url))).json()) as { conditions: unknown[] };
    t.true(Array.isArray(health.conditions));

    // The page is not reachable from the WAN side.
    const boxFromWan = mode === 'bridge' ? lab.box.lanAddress.v4 : lab.box.wanAddress.v4;
    const [fromWan] = await tcpProbe(lab.ns.wan, [{ addr: boxFromWan, port: 80 }], { timeoutMs: 1500 });
    t.not(fromWan?.outcome, 'connected', 'the page does not answer on the WAN side');

    const status = (await utmd.status()) as { mode: string; conditions: { id: string; ok: boolean }[] };
    t.is(status.mode, mode);
    t.true(status.conditions.find((c) => c.id === 'ruleset')?.ok);
    t.true(status.conditions.find((c) => c.id === 'sensor:ulogd')?.ok);
  });
}

test.serial('fail loud: a killed sensor becomes an alert upstream and is restarted; a garbage datagram is counted, not fatal', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const collector = await startUdpCollector(lab);
  const utmd = await startUtmd(lab, { provisioning });
  type S = { sensors: { observation: { port: number; listener: { malformed: Record<string, number> }; ulogd: { pid?: number; restarts: number } } } };
  const before = (await utmd.status()) as S;
  const pid = before.sensors.observation.ulogd.pid;
  t.truthy(pid, 'ulogd2 is running under utmd');
  process.kill(pid!, 'SIGKILL');

  // Upstream hears the condition (naming the sensor); the sensor_down alert stays on the page.
  const line = await collector.waitFor((l) => l.includes(' condition ') && l.includes('id="sensor:ulogd"'), 30_000);
  t.regex(line, /box-test-0001 otasuke-utm - condition \[meta sequenceId="(\d+)"\]\[utmMsg@32473 seq="\1" class="condition"\]\[utmCondition@32473 id="sensor:ulogd" state="failed" kind="sensor_down"/);
  await waitFor(async () => {
    const s = (await utmd.status()) as S;
    return s.sensors.observation.ulogd.restarts >= 1 && s.sensors.observation.ulogd.pid && s.sensors.observation.ulogd.pid !== pid ? true : undefined;
  }, { what: 'ulogd2 restarted by the supervisor', timeoutMs: 30_000 });

  // A hostile datagram on the sensor port (from inside the box, where ulogd2 sends).
  const port = before.sensors.observation.port;
  await lab.exec(lab.ns.box, [process.execPath, '-e',
    `const s=require('dgram').createSocket('udp4');s.send(Buffer.from('{"oob.prefix":'),${port},'127.0.0.1',()=>s.close())`]);
  await waitFor(async () => {
    const s = (await utmd.status()) as S;
    return Object.values(s.sensors.observation.listener.malformed).reduce((a, b) => a + b, 0) >= 1 ? true : undefined;
  }, { what: 'the malformed datagram counted', timeoutMs: 15_000 });
  t.truthy(await utmd.status(), 'utmd still answers');
});
