// Real flows through the box: an office PC "checks in" with one outside address at a fixed
// interval (a C2 beacon). With timeScale 0.0005 a scaled hour lasts 1.8 s, so 36 s of check-ins
// every 0.3 s are 20 hours of six connections an hour: the RITA-style score must flag it, and
// it must arrive as one incident in utmctl, upstream and on the page.
import test from 'ava';
import { createLab } from '../../lab/lab.js';
import { startUdpCollector } from '../../lab/collector.js';
import { startTcpListener } from '../../lab/services.js';
import { startUtmd } from '../../lab/utmd.js';
import { fastConntrack, pageIncidentIds, pageText, provisioning, trafficConfig, upstreamLines, waitIncident } from './helpers.js';

const C2 = '203.0.113.200';

/** A tiny agent: N connections to addr:port, one every `everyMs`, each sending the same bytes. */
function beaconScript(addr: string, port: number, n: number, everyMs: number): string {
  return `const net=require('net');let i=0;const one=()=>{const s=net.connect(${port},'${addr}',()=>{s.end(Buffer.alloc(180,120));});
s.on('error',()=>{});s.setTimeout(2000,()=>s.destroy());if(++i<${n})setTimeout(one,${everyMs});};one();`;
}

test.serial('bridge: a fixed-interval check-in to one outside address is a beacon, shown as one incident', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const collector = await startUdpCollector(lab);
  await startTcpListener(lab, lab.ns.wan, [{ addr: '0.0.0.0', port: 443 }]);
  const utmd = await startUtmd(lab, { config: trafficConfig(lab, { timeScale: 0.0005 }), provisioning });
  await fastConntrack(lab);
  const host = lab.hosts[0]!;

  await lab.exec(host.ns, [process.execPath, '-e', beaconScript(C2, 443, 120, 300)], { timeoutMs: 120_000 });

  const inc = await waitIncident(utmd, host.v4, 'beacon', 60_000);
  const beacon = inc.alerts.find((a) => a.kind === 'beacon')!;
  t.is(beacon.remote?.ip, C2);
  t.true(Number(beacon.evidence['score']) >= 0.9, `score ${String(beacon.evidence['score'])}`);
  for (const k of ['tsScore', 'dsScore', 'histScore', 'durScore', 'connections', 'medianIntervalSeconds']) t.true(k in beacon.evidence, `evidence has ${k}`);

  // Upstream hears the incident once per new kind of finding and per escalation, never per
  // repeat (at a compressed clock a check-in's close linger can also make it a long connection).
  const lines = await upstreamLines(collector, host.v4, inc.id, 'beacon');
  const news = lines.map((l) => {
    const sd = /\[utmIncident@32473 ([^\]]*)\]/.exec(l)?.[1] ?? '';
    return `${/kinds="([^"]*)"/.exec(sd)?.[1] ?? '?'} ${/severity="([^"]*)"/.exec(sd)?.[1] ?? '?'}`;
  });
  t.is(new Set(news).size, news.length, `every line tells something new: ${news.join(' | ')}`);
  t.true(lines.length <= 4, `at most open, one more kind and two escalations: ${lines.length}`);
  t.true(lines.every((l) => l.includes(`[utmIncident@32473 id="${inc.id}"`)));
  t.true(pageIncidentIds(await pageText(lab)).includes(inc.id));
});
