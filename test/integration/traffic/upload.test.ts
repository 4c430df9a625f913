// Real flows through the box with the shipped rules/thresholds.json unchanged: an office PC with
// a quiet history uploads 200 MB to one outside address outside business hours. That is below
// the single-flow floor (500 MB off-hours) but above the hourly floor (150 MB) and far above
// the PC's own per-hour baseline, so the hourly pattern must flag it — and it must arrive as one
// incident in utmctl, upstream and on the page. The same 200 MB from another PC ending inside
// business hours stays quiet (hourly floor 2 GB).
//
// Only the config's traffic.timeScale is compressed: about one second per scaled hour. The
// test picks the exact scale so that "now" falls on a Thursday evening (local office time), which
// lets the story unfold in under a minute: the quiet PC is first seen on Thursday, a Friday
// business hour carries the negative, and by Saturday morning the quiet PC has 24 off-hours of
// baseline, so its upload ends in the weekend's off-hours stretch. Every moment is computed with
// the detector's own clock (clocked()), from the thresholds utmd itself loads.
import test from 'ava';
import { createLab, REPO_ROOT, type Lab } from '../../lab/lab.js';
import { startUdpCollector } from '../../lab/collector.js';
import { startUtmd, type Utmd } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import { loadThresholds } from '../../../firmware/src/traffic/thresholdsFile.js';
import { clocked, type Clocked } from '../../../firmware/src/detectors/thresholds.js';
import { fastConntrack, incidents, pageIncidentIds, pageText, provisioning, trafficConfig, upstreamLines, waitIncident } from './helpers.js';

const CLOUD = '198.51.100.77';
const H = 3_600_000;
const BYTES = 200_000_000;

/**
 * A timeScale close to `nominal` under which real time `realAt` maps to local `hour` on weekday
 * `dow` (0 = Sunday) of some week, given the thresholds' timezone offset (pure).
 */
function scaleLanding(realAt: number, nominal: number, offsetMinutes: number, dow: number, hour: number): number {
  const off = offsetMinutes * 60_000;
  const week = 7 * 24 * H;
  // Local ms 0 (1970-01-01 00:00) was a Thursday (4).
  const inWeek = (((dow - 4) % 7 + 7) % 7) * 24 * H + hour * H;
  const x = realAt / nominal + off;
  const local = Math.ceil((x - inWeek) / week) * week + inWeek;
  return realAt / (local - off);
}

/** Real time at which local hour index h begins under c (inverse of c.hourIndex). */
const hourStart = (c: Clocked, h: number): number => (h * H - c.t.timezoneOffsetMinutes * 60_000) * c.t.timeScale;
/** The same kind-of-hour test the detector's baseline uses (an instant in the middle of hour h). */
const offHour = (c: Clocked, h: number): boolean => !c.isBusinessHour(hourStart(c, h) + c.hours(0.5));

/** The latest flow end utmd's traffic feature has handled (ms), from `utmctl status --json`. */
async function lastEventAt(utmd: Utmd): Promise<number> {
  const s = (await utmd.status()) as { features?: { traffic?: { lastEventAt?: number | null } } };
  return s.features?.traffic?.lastEventAt ?? 0;
}

/** Uploads `bytes` from ns to CLOUD:443 in one connection, with plain node (no tsx start-up on a busy machine). */
async function upload(lab: Lab, ns: string, bytes: number): Promise<void> {
  const script = `const s=require('net').connect(443,'${CLOUD}',()=>{const c=Buffer.alloc(65536,97);let left=${bytes};
const pump=()=>{while(left>0){const n=Math.min(left,c.length);left-=n;if(!s.write(n===c.length?c:c.subarray(0,n)))return void s.once('drain',pump);}s.end();};pump();});
s.on('error',(e)=>{console.error(e.message);process.exit(1);});s.on('close',()=>console.log('sent'));s.resume();`;
  const out = await lab.exec(ns, [process.execPath, '-e', script], { timeoutMs: 120_000 });
  if (!out.includes('sent')) throw new Error(`upload from ${ns} did not finish: ${out}`);
}

/**
 * Runs one flow and polls until utmd has handled its END event (no other LAN flow runs
 * meanwhile, so the newest flow end utmd reports is this one's); returns that end time.
 * A closed connection's expired conntrack entry is only removed — and the END event sent,
 * stamped with that moment — when the kernel's garbage collector next passes, up to a minute
 * later on an idle box, or when conntrack is listed (utmd's own poller does so every
 * conntrackPollSeconds). A minute is nothing at a real
 * hour's scale but sixty scaled hours here, so the test lists the box's conntrack while it waits.
 */
async function handled(lab: Lab, utmd: Utmd, flow: () => Promise<void>): Promise<number> {
  const before = Date.now();
  await flow();
  return waitFor(async () => {
    await lab.execResult(lab.ns.box, ['conntrack', '-L']);
    const at = await lastEventAt(utmd);
    return at >= before ? at : undefined;
  }, { what: 'the flow end to reach utmd', timeoutMs: 30_000, intervalMs: 100 });
}

test.serial('bridge, shipped thresholds: a 200 MB upload at night from a quiet PC is one hourly upload incident; in business hours it is not', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 2 });
  t.teardown(() => lab.destroy());
  const [quiet, daytime] = [lab.hosts[0]!, lab.hosts[1]!];
  const collector = await startUdpCollector(lab);
  // A sink that reads everything (the lab's tcpListen greets and never reads, so it cannot take an upload).
  const sink = await lab.spawn(lab.ns.wan, [process.execPath, '-e',
    `require('net').createServer((s)=>{s.on('error',()=>{});s.resume();}).listen(443,'0.0.0.0',()=>console.log('listening'))`]);
  await sink.waitForOutput((o) => o.includes('listening'), { what: 'upload sink', timeoutMs: 30_000 });

  const shipped = loadThresholds({ root: REPO_ROOT });
  const landing = Date.now();
  const timeScale = scaleLanding(landing, 1 / 3600, shipped.timezoneOffsetMinutes, 4, 17.5); // Thursday 17:30
  const c = clocked(loadThresholds({ root: REPO_ROOT, timeScale }));
  // Local hour 0 of the epoch was a Thursday 00:00, so hour 17 of a 168-hour week is Thursday 17:00.
  t.is(c.hourIndex(landing) % (7 * 24), 17, 'the compressed clock starts on a Thursday at 17:00–18:00 local');
  t.log(`timeScale ${timeScale}: a scaled hour lasts ${c.hours(1).toFixed(0)} ms`);
  // Open flows are not polled during the test: with hours this short a poll in the middle of
  // the upload would hand part of its bytes to one scaled hour and the rest to the next, which
  // at a real hour's scale (uploads of seconds to minutes, polls a minute apart) is rare.
  const utmd = await startUtmd(lab, { config: trafficConfig(lab, { timeScale, conntrackPollSeconds: 3600 }), provisioning });
  await fastConntrack(lab);
  // A closed connection's entry may go the moment it closes (no TIME_WAIT/CLOSE linger): a
  // one-second linger is a whole scaled hour, which would make every small request a
  // "long connection" to a rare address and open the PC's incident before the upload does.
  await lab.exec(lab.ns.box, ['/usr/sbin/sysctl', '-qw', 'net.netfilter.nf_conntrack_tcp_timeout_time_wait=0', 'net.netfilter.nf_conntrack_tcp_timeout_close=0']);

  // The quiet PC is seen once (a small request), which starts its baseline.
  const firstEnd = await handled(lab, utmd, () => upload(lab, quiet.ns, 2000));
  const firstHour = c.hourIndex(firstEnd);

  // Negative: 200 MB ending inside business hours is under the 2 GB business floor.
  // It starts at the top of the next business day (Friday 08:00) so that all eleven business
  // hours are there for it to finish in.
  let b = c.hourIndex(Date.now()) + 1;
  while (offHour(c, b) || !offHour(c, b - 1)) b++;
  await waitFor(() => Date.now() >= hourStart(c, b), { what: `local hour ${b % 24} (business day starts)`, timeoutMs: 60_000, intervalMs: 50 });
  const dayStart = Date.now();
  const dayEnd = await handled(lab, utmd, () => upload(lab, daytime.ns, BYTES));
  t.log(`daytime upload: started at local hour ${c.hourIndex(dayStart) % 24}, its end was handled ${dayEnd - dayStart} ms later (local hour ${c.hourIndex(dayEnd) % 24})`);
  t.true(c.isBusinessHour(dayEnd), `premise: the daytime upload ended in a business hour (machine too slow? hour ${c.hourIndex(dayEnd) % 24})`);

  // The quiet PC's baseline needs minBaselineHours off-hours since it was first seen; the
  // upload then starts at the top of an off-hour with several off-hours after it for slack.
  const need = c.t.upload.minBaselineHours;
  let h = firstHour, off = 0;
  for (; off < need; h++) if (offHour(c, h)) off++;
  const slack = 6;
  while (!Array.from({ length: slack + 1 }, (_, i) => offHour(c, h + i)).every(Boolean)) h++;
  t.log(`first seen at local hour ${firstHour % 24}; upload starts at local hour ${h % 24}, ${h - firstHour} scaled hours later`);
  await waitFor(() => Date.now() >= hourStart(c, h), { what: `local hour ${h % 24}`, timeoutMs: 90_000, intervalMs: 50 });
  const nightEnd = await handled(lab, utmd, () => upload(lab, quiet.ns, BYTES));
  t.log(`the upload ended at local hour ${c.hourIndex(nightEnd) % 24}`);

  const inc = await waitIncident(utmd, quiet.v4, 'upload', 60_000);
  const ups = inc.alerts.filter((a) => a.kind === 'upload');
  t.is(ups.length, 1);
  const up = ups[0]!;
  t.is(up.remote?.ip, CLOUD);
  const ev = up.evidence;
  t.is(ev['pattern'], 'hourly', JSON.stringify(ev));
  t.is(ev['businessHours'], false);
  t.is(ev['coldStart'], false);
  t.true(Number(ev['baselineHours']) >= need, `baselineHours ${String(ev['baselineHours'])}`);
  t.true(Number(ev['z']) >= c.t.upload.zScore, `z ${String(ev['z'])}`);
  t.true(Number(ev['hourBytesOut']) >= BYTES, `hourBytesOut ${String(ev['hourBytesOut'])}`);
  t.true(Number(ev['hourBytesOut']) < c.t.upload.singleFlowBytesOff, 'below the single-flow floor: the hourly pattern decided');

  const all = await incidents(utmd);
  t.is(all.filter((i) => i.device.ip === quiet.v4).length, 1, 'one incident for the quiet PC');
  t.false(all.some((i) => i.device.ip === daytime.v4 && i.alerts.some((a) => a.kind === 'upload')), 'no upload alert for the business-hours upload');

  // Upstream: one upload message, and every message about the PC names its one incident (a
  // long_connection alert may join it: at one second per hour the upload lasts "hours").
  const lines = await upstreamLines(collector, quiet.v4, inc.id, 'upload');
  t.is(lines.filter((l) => l.includes(' upload ')).length, 1, lines.join('\n'));
  t.true(lines.every((l) => l.includes(`[utmIncident@32473 id="${inc.id}"`)), lines.join('\n'));
  t.true(pageIncidentIds(await pageText(lab)).includes(inc.id));
});
