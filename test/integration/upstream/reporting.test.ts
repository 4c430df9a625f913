// What the monitoring centre hears from a real utmd in the lab, at a real rsyslog collector:
// heartbeats (with the hash of the ruleset in force), one failure and one recovery per episode
// for a killed sensor, and for the collector cut off (no route) and back, with
// `utmctl upstream status` failing while nothing gets through.
import test from 'ava';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLab } from '../../lab/lab.js';
import { startUdpCollector, type UdpCollector } from '../../lab/collector.js';
import { startUtmd, labUtmdConfig, labProvisioning } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import { startUiBridge } from '../../lab/uiBridge.js';
import { feedLab, refresh } from '../blocklist/helpers.js';

const provisioning = labProvisioning('box-rep-0001');
const reporting = { heartbeatSeconds: 5, silenceSeconds: 10, recoverySettleSeconds: 2, statsTime: '00:05' };

/** Condition messages (failure and recovery) about `id` at the collector. */
async function told(c: UdpCollector, id: string): Promise<{ failures: number; recoveries: number }> {
  const lines = (await c.messages()).filter((l) => l.includes(`id="${id}"`) && l.includes('utmCondition@32473'));
  return { failures: lines.filter((l) => l.includes(' condition [')).length, recoveries: lines.filter((l) => l.includes(' recovery [')).length };
}

/** Waits for a heartbeat that arrives after the collector held `after` lines: a barrier that
 *  proves the box kept talking, so counts taken then are final for what came before. */
async function nextHeartbeat(c: UdpCollector, after: number): Promise<string> {
  return waitFor(async () => (await c.messages()).slice(after).find((l) => l.includes(' heartbeat [')), { what: 'a later heartbeat', timeoutMs: 30_000 });
}

test.serial('heartbeat carries the ruleset hash; a killed sensor is told once as failed and once as recovered', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const collector = await startUdpCollector(lab);
  const utmd = await startUtmd(lab, { config: { ...labUtmdConfig(lab), reporting }, provisioning });

  const hb = await collector.waitFor((l) => l.includes(' heartbeat [') && l.includes('[utmHeartbeat@32473'), 30_000);
  t.regex(hb, /box-rep-0001 otasuke-utm - heartbeat \[meta sequenceId="(\d+)"\]\[utmMsg@32473 seq="\1" class="heartbeat"\]\[utmHeartbeat@32473 uptimeS="\d+" rulesetSha256="[0-9a-f]{64}"/);
  const lastGood = await readFile(join(utmd.stateDir, 'last-good.json')).catch(() => null);
  if (lastGood) t.true(hb.includes(`rulesetSha256="${createHash('sha256').update(lastGood).digest('hex')}"`), 'the hash of the ruleset in force');
  t.true(hb.includes('定期連絡'), 'plain words for the centre');

  const st = await utmd.ctl(['upstream', 'status', '--json']);
  t.is(st.code, 0, st.stderr);
  const view = JSON.parse(st.stdout) as { status: { peer: string; transport: string }; fault: boolean };
  t.is(view.status.peer, `${lab.internet.collector.v4}:514`);
  t.false(view.fault);

  type S = { sensors: { observation: { ulogd: { pid?: number; restarts: number } } } };
  const pid = ((await utmd.status()) as S).sensors.observation.ulogd.pid;
  t.truthy(pid);
  process.kill(pid!, 'SIGKILL');
  const failure = await collector.waitFor((l) => l.includes(' condition [') && l.includes('id="sensor:ulogd"'), 30_000);
  t.true(failure.includes('通信の見張り（ulogd2）'), 'the sensor is named in plain words');
  const recovery = await collector.waitFor((l) => l.includes(' recovery [') && l.includes('id="sensor:ulogd"'), 60_000);
  t.true(recovery.includes('state="recovered"'));
  t.true(recovery.includes('正常に戻りました'));
  await nextHeartbeat(collector, (await collector.messages()).length);
  t.deepEqual(await told(collector, 'sensor:ulogd'), { failures: 1, recoveries: 1 });
});

test.serial('collector cut off, then back: the page-side fault shows, and the centre hears the failure and the recovery once each', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const collector = await startUdpCollector(lab);
  const utmd = await startUtmd(lab, { config: { ...labUtmdConfig(lab), reporting }, provisioning });
  await collector.waitFor((l) => l.includes(' heartbeat ['), 30_000);

  // The box loses its way to the collector (as when the WAN side loses its route).
  const gw = (await lab.exec(lab.ns.box, ['ip', '-j', 'route', 'show', 'default']));
  const via = (JSON.parse(gw) as { gateway?: string }[])[0]?.gateway;
  t.truthy(via, 'the box has a default route');
  await lab.exec(lab.ns.box, ['ip', 'route', 'del', 'default']);
  const down = await waitFor(async () => {
    const r = await utmd.ctl(['upstream', 'status']);
    return r.code === 1 && r.stdout.includes('FAULT') ? r : undefined;
  }, { what: 'utmctl upstream status to report the fault', timeoutMs: 60_000, intervalMs: 500 });
  t.regex(down.stdout, /nothing confirmed for .* while \d+ message\(s\) wait/);
  // The 'upstream' condition is raised too (sampled every few seconds).
  await waitFor(async () => ((await utmd.status()) as { conditions: { id: string; ok: boolean }[] }).conditions.some((c) => c.id === 'upstream' && !c.ok),
    { what: 'the upstream condition to go bad', timeoutMs: 30_000, intervalMs: 500 });
  const ui = await startUiBridge(lab, { hostPort: 0 });
  t.teardown(() => ui.stop());
  const page = await (await fetch(ui.url)).text();
  t.true(page.includes('監視センターに連絡が届いていません。相談窓口に電話してください'), 'the office page says so');
  t.true(page.includes('data-upstream-state="silent"'), 'and the technician section too');

  await lab.exec(lab.ns.box, ['ip', 'route', 'add', 'default', 'via', via!]);
  await collector.waitFor((l) => l.includes(' condition [') && l.includes('id="upstream"'), 120_000).catch(async (e: unknown) => {
    t.log((await collector.messages()).join('\n'));
    t.log((await utmd.ctl(['upstream', 'status'])).stdout);
    t.log((await utmd.ctl(['status', '--json'])).stdout);
    t.log(await readFile(utmd.logPath, 'utf8'));
    throw e;
  });
  await collector.waitFor((l) => l.includes(' recovery [') && l.includes('id="upstream"'), 120_000);
  await nextHeartbeat(collector, (await collector.messages()).length);
  t.deepEqual(await told(collector, 'upstream'), { failures: 1, recoveries: 1 });
  const after = await utmd.ctl(['upstream', 'status']);
  t.is(after.code, 0, after.stdout);
});

test.serial('a feed that fails and is healthy again: one failure and one recovery naming the feed', async (t) => {
  const l = await feedLab(t);
  const collector = await startUdpCollector(l.lab);
  l.config['reporting'] = reporting;
  l.writeFeed(['198.51.100.99']);
  let server = await l.serve();
  const utmd = await l.start();
  // loaded now, or already at start (a feed with nothing loaded is fetched at once)
  t.regex((await refresh(utmd))[0]!.result, /^(loaded|unchanged)$/);
  await server.stop();
  t.like((await refresh(utmd))[0], { result: 'fault' });
  t.like((await refresh(utmd))[0], { result: 'fault' }, 'a second fault in the same episode');
  const failure = await collector.waitFor((l) => l.includes(' condition [') && l.includes('id="feed:lab-c2"'), 30_000);
  t.true(failure.includes('危険リスト「lab-c2」'));
  t.true(failure.includes('kind="feed_fault"'));
  server = await l.serve();
  t.regex((await refresh(utmd))[0]!.result, /^(loaded|unchanged)$/);
  await collector.waitFor((l) => l.includes(' recovery [') && l.includes('id="feed:lab-c2"'), 30_000);
  await nextHeartbeat(collector, (await collector.messages()).length);
  t.deepEqual(await told(collector, 'feed:lab-c2'), { failures: 1, recoveries: 1 });
  t.false((await collector.messages()).some((m) => m.includes(' feed_fault ')), 'the page alert is not sent a second time');
});
