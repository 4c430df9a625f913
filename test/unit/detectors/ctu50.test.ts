// The detectors and the alert pipeline on CTU-50 (issue 15): ten benign PCs over five whole days
// each (50 PC-days) and six malware captures with labelled command-and-control servers, all from
// the Stratosphere Laboratory, replayed as one office through the shipped detectors. Only the TLS
// flows are in this set, as hourly aggregates laid out again as flows (ctu50.ts says how); the
// full-traffic days are in realTraffic.test.ts. Sources and licences: test/fixtures/traffic/SOURCES.md.
import test from 'ava';
import type { Alert } from '../../../firmware/src/alerts/types.js';
import { flowsOf, readAggregates, type AggRow, type Layout } from './ctu50.js';
import { replay } from './corpus.js';

const H = 3_600_000;
const MONDAY = Date.UTC(2026, 10, 22, 15, 0, 0); // Monday 2026-11-23 00:00 JST
const benign = readAggregates('ctu50/benign.tsv.gz');
const malware = readAggregates('ctu50/malware.tsv.gz');

// A benign capture day runs from 21:00 to 21:00 UTC (23:00 to 23:00 in Prague, UTC+2): each hour is
// put at the same local hour of the office's day, so the PCs keep their working hours.
const benignAt = (r: AggRow): number => MONDAY + (r.day - 1) * 24 * H - H + ((r.hour + 3) % 24) * H;
const malwareAt = (r: AggRow): number => MONDAY + (r.day - 1) * 24 * H + r.hour * H;

const clients = [...new Set(benign.map((r) => r.set))].sort();
const captures = [...new Set(malware.map((r) => r.set))].sort();
const pcIp = (i: number): string => `10.50.0.${i + 1}`;
const malwareIp = (i: number): string => `10.60.0.${i + 1}`;
const hex = (i: number): string => (i + 1).toString(16).padStart(2, '0');

const officeOf = (layout: Layout) => [
  ...clients.flatMap((c, i) => flowsOf(benign.filter((r) => r.set === c), pcIp(i), `02:00:00:00:50:${hex(i)}`, benignAt, layout)),
  ...captures.flatMap((c, i) => flowsOf(malware.filter((r) => r.set === c), malwareIp(i), `02:00:00:00:60:${hex(i)}`, malwareAt, layout)),
];
const pcDays = new Set(benign.map((r) => `${r.set}/${r.day}`)).size;

/** Labelled C2 servers the beacon method can see: on some day, at least 24 connections (RITA's
 *  minimum, rules/thresholds.json beacon.minConnections) spread over at least 6 hours (minObservedHours). */
function visibleC2(): Array<{ capture: string; ip: string; server: string }> {
  const byDay = new Map<string, { flows: number; hours: Set<number> }>();
  for (const r of malware) {
    // Only servers labelled C2 ("CC", "CC-with-MITM-from-analysts"): captures 219-2, 230-1 and 327-2
    // label every flow of the infected host Malicious (Wikipedia and Cloudflare included), naming no C2.
    if (r.label !== 'Malicious' || !r.detail.startsWith('CC')) continue;
    const k = `${r.set}|${r.resp}|${r.day}`;
    const s = byDay.get(k) ?? { flows: 0, hours: new Set<number>() };
    s.flows += r.flows;
    s.hours.add(r.hour);
    byDay.set(k, s);
  }
  const out = new Map<string, { capture: string; ip: string; server: string }>();
  for (const [k, s] of byDay) {
    const [capture = '', server = ''] = k.split('|');
    if (s.flows >= 24 && s.hours.size >= 6) out.set(`${capture}|${server}`, { capture, ip: malwareIp(captures.indexOf(capture)), server });
  }
  return [...out.values()];
}

const results = new Map<Layout, { alerts: Alert[]; findings: number }>();
const run = (layout: Layout): { alerts: Alert[]; findings: number } => {
  const r = results.get(layout) ?? replay(officeOf(layout).map((x) => x.flow));
  results.set(layout, r);
  return r;
};

// Measured 2026-12-02 with the shipped thresholds (README, issue 15), flows laid out evenly /
// scattered in their hour. Morning of 2026-12-02: 102 / 86 false alerts in 50 PC-days; after the
// routine rule 28 / 18; now 5 / 5 (0.10 per PC per day, the target): a web-port check-in to a
// network Amazon, Microsoft, Google or Apple publish (rules/service-networks.json) only adds to an
// incident, unless its device keeps several persistent rare channels outside those networks (21 / 11
// beacons, all to Azure and AWS on 443); Steam's long connections to Valve's networks on Steam's
// ports are a well-known service (2). Left: a video bridge on 10000/udp without the app's names,
// 4711/tcp, and two large uploads to AWS and Microsoft. How the rules were chosen: the operator
// lists and Valve's networks are public data taken whole, not fitted; "several" (2 channels of 20 or
// more hours a day, judged at RITA's "low" 0.7) comes from the last session's look at the whole set
// (benign PCs: 0 such channels outside operator networks on every day; the full-traffic days: 1);
// 18 or 22 hours and 3 channels give the same figures. Days 4-5 (20 PC-days) stay held out for the
// routine rule and meet the target. C2 servers found: 12 / 12 of 13, was 7: Botnet-67-1's
// controller and fallbacks (one on EC2) score 0.7-0.86, and a channel of a device keeping several is
// not demoted to routine. 13 / 13 since 2026-12-03: 89.69.138.91, used irregularly for 10 hours of
// one night (score 0.57 / 0.61), is found as the scope of the implant already reported on the same
// host (its other channel to a network no other office device uses, outside the operator networks,
// seen for 6 hours or more). Rarity needs an office (5 devices or more): each PC alone, nothing is a rare channel.
const TARGET_PER_PC_DAY = 0.1;
const MEASURED: Record<Layout, { falseAlerts: number; c2Found: number }> = { even: { falseAlerts: 5, c2Found: 13 }, scattered: { falseAlerts: 5, c2Found: 13 } };
const HELD_OUT_FROM_DAY = 4;
const dayOf = (at: number): number => Math.floor((at - MONDAY) / (24 * H)) + 1;

for (const layout of ['even', 'scattered'] as const) {
  test(`ten benign PCs over five days (TLS only, ${layout}): false alerts after the pipeline`, (t) => {
    t.is(pcDays, 50);
    const falseAlerts = run(layout).alerts.filter((a) => (a.device.ip ?? '').startsWith('10.50.0.'));
    const kinds = new Map<string, number>();
    for (const a of falseAlerts) kinds.set(a.kind, (kinds.get(a.kind) ?? 0) + 1);
    t.log(`false alerts: ${falseAlerts.length} for ${pcDays} PC-days = ${(falseAlerts.length / pcDays).toFixed(2)} per PC per day (target 0.1): ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    const incidents = new Set(falseAlerts.map((a) => (a.incidentId === null ? `alert ${a.id}` : `incident ${a.incidentId}`)));
    t.log(`as the staff see them, grouped into incidents: ${incidents.size} (${(incidents.size / pcDays).toFixed(2)} per PC per day)`);
    const heldOut = falseAlerts.filter((a) => dayOf(a.firstSeen) >= HELD_OUT_FROM_DAY);
    const heldOutPcDays = new Set(benign.filter((r) => r.day >= HELD_OUT_FROM_DAY).map((r) => `${r.set}/${r.day}`)).size;
    t.log(`held out (days ${HELD_OUT_FROM_DAY}-5): ${heldOut.length} for ${heldOutPcDays} PC-days = ${(heldOut.length / heldOutPcDays).toFixed(2)} per PC per day`);
    t.is(heldOutPcDays, 20);
    t.true(heldOut.length / heldOutPcDays <= TARGET_PER_PC_DAY, `held-out days meet the target (${heldOut.length} in ${heldOutPcDays} PC-days)`);
    t.true(falseAlerts.length <= MEASURED[layout].falseAlerts, `no worse than measured (${falseAlerts.length} > ${MEASURED[layout].falseAlerts})`);
    t.true(falseAlerts.length / pcDays <= TARGET_PER_PC_DAY, `all 50 PC-days meet the target (${falseAlerts.length} in ${pcDays} PC-days)`);
    t.true(falseAlerts.every((a) => a.direction !== 'inbound'), 'attacks on the PCs are never counted as their traffic');
  });

  test(`labelled command-and-control servers the method can see are found in the same office (${layout})`, (t) => {
    const visible = visibleC2();
    const alerts = run(layout).alerts;
    const found = visible.filter((v) => alerts.some((a) => a.device.ip === v.ip && a.remote?.ip === v.server));
    t.log(`C2 servers found: ${found.length} of ${visible.length} visible`);
    for (const v of visible) if (!found.includes(v)) t.log(`  missed: ${v.capture} → ${v.server}`);
    t.true(visible.length >= 5, 'the set has C2 channels the method can see');
    t.true(found.length >= MEASURED[layout].c2Found, `no worse than measured (${found.length} < ${MEASURED[layout].c2Found})`);
    t.is(found.length, visible.length, 'every labelled C2 server the method can see');
    // On the infected hosts too, every alert names a server the capture labels malicious: the scope
    // of an implant (its other rare channels) adds its fallback, not the host's ordinary traffic.
    const labelled = new Set(malware.filter((r) => r.label === 'Malicious').map((r) => `${malwareIp(captures.indexOf(r.set))}|${r.resp}`));
    const onHosts = alerts.filter((a) => (a.device.ip ?? '').startsWith('10.60.0.'));
    t.true(onHosts.length > 0 && onHosts.every((a) => labelled.has(`${a.device.ip}|${a.remote?.ip}`)), onHosts.filter((a) => !labelled.has(`${a.device.ip}|${a.remote?.ip}`)).map((a) => `${a.device.ip} → ${a.remote?.ip}`).join(', '));
    // Botnet-327-2 names no C2 server (every flow is labelled Malicious), but its hourly check-ins
    // to three addresses on 443 are the kind of positive the routine rule could hide: still found.
    const b327 = malwareIp(captures.indexOf('CTU-Malware-Capture-Botnet-327-2'));
    t.is(new Set(alerts.filter((a) => a.device.ip === b327 && a.kind === 'beacon' && a.remote?.port === 443).map((a) => a.remote?.ip)).size, 3);
  });
}

for (const layout of ['even', 'scattered'] as const) {
  test(`each PC replayed alone (${layout}): the held-out days still meet the target; one office adds only popularity`, (t) => {
    // The ten PCs are one university network in the same weeks (SOURCES.md), but their days are
    // aligned by number, not by date; the routine rule must not lean on the office.
    let all = 0, heldOut = 0;
    clients.forEach((c, i) => {
      const { alerts } = replay(flowsOf(benign.filter((r) => r.set === c), pcIp(i), `02:00:00:00:50:${hex(i)}`, benignAt, layout).map((x) => x.flow));
      all += alerts.length;
      heldOut += alerts.filter((a) => dayOf(a.firstSeen) >= HELD_OUT_FROM_DAY).length;
    });
    const office = run(layout).alerts.filter((a) => (a.device.ip ?? '').startsWith('10.50.0.')).length;
    t.log(`alone: ${all} false alerts in 50 PC-days (${(all / 50).toFixed(2)}), held out ${heldOut} in 20 (${(heldOut / 20).toFixed(2)}); as one office ${office}`);
    t.true(heldOut / 20 <= TARGET_PER_PC_DAY);
    t.true(office < all, 'other PCs using a network count against a finding');
  });
}
