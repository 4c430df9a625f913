// Shared steps of the traffic integration tests: a provisioned utmd, fast conntrack endings,
// polling `utmctl flows` for what the sensors delivered, and utmctl / the collector / the page
// for "one incident per story".
import type { Lab } from '../../lab/lab.js';
import type { Utmd } from '../../lab/utmd.js';
import type { UdpCollector } from '../../lab/collector.js';
import { labProvisioning, labUtmdConfig } from '../../lab/utmd.js';
import { startUiBridge } from '../../lab/uiBridge.js';
import { waitFor } from '../../lab/poll.js';
import type { Alert } from '../../../firmware/src/alerts/types.js';
import type { Incident } from '../../../firmware/src/alerts/incidents.js';
import type { RecentFlow } from '../../../firmware/src/traffic/recentFlows.js';
import { ConntrackPoller } from '../../../firmware/src/traffic/conntrackList.js';
import { parseNfct } from '../../../firmware/src/sensors/nfct.js';
import { FlowIngest } from '../../../firmware/src/traffic/ingest.js';
import { makeIsLan } from '../../../firmware/src/net/cidrSet.js';
import type { FlowRecord } from '../../../firmware/src/flows/parse.js';

export const provisioning = labProvisioning('box-traffic-01');

export type IncidentView = Incident & { id: number; alerts: Alert[] };

/** The lab config plus a `traffic` section (e.g. conntrackPollSeconds, dnsNames). */
export function trafficConfig(lab: Lab, traffic: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...labUtmdConfig(lab), traffic: { conntrackPollSeconds: 5, ...traffic } };
}

/** Closed TCP connections end (DESTROY event) after ~1 s instead of 10–120 s: box namespace only. */
export async function fastConntrack(lab: Lab): Promise<void> {
  await lab.exec(lab.ns.box, ['/usr/sbin/sysctl', '-qw',
    'net.netfilter.nf_conntrack_tcp_timeout_time_wait=1', 'net.netfilter.nf_conntrack_tcp_timeout_close=1',
    'net.netfilter.nf_conntrack_tcp_timeout_fin_wait=1', 'net.netfilter.nf_conntrack_tcp_timeout_close_wait=1',
    'net.netfilter.nf_conntrack_tcp_timeout_last_ack=1', 'net.netfilter.nf_conntrack_tcp_timeout_syn_sent=2']);
}

/** `utmctl flows --device IP --json`: the flows of one office device utmd judged, newest first. */
export async function flowsOf(utmd: Utmd, deviceIp: string): Promise<RecentFlow[]> {
  const r = await utmd.ctl(['flows', '--device', deviceIp, '--limit', '200', '--json']);
  if (r.code !== 0) throw new Error(`utmctl flows failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { flows: RecentFlow[] }).flows;
}

/**
 * Polls until utmd has judged the flows `pick` chooses from the device's (returns them when
 * `pick` gives a non-empty list). Ended connections wait in conntrack until the kernel's garbage
 * collector passes (up to a minute on an idle box); listing conntrack in the box makes it
 * drop expired entries and send their DESTROY events at once, so the test lists while it waits.
 */
export async function waitFlows(lab: Lab, utmd: Utmd, deviceIp: string, pick: (f: RecentFlow[]) => RecentFlow[] | undefined, what: string, timeoutMs = 30_000): Promise<RecentFlow[]> {
  return waitFor(async () => {
    await lab.execResult(lab.ns.box, ['conntrack', '-L']);
    const got = pick(await flowsOf(utmd, deviceIp));
    return got && got.length > 0 ? got : undefined;
  }, { what, timeoutMs, intervalMs: 300 });
}

export async function incidents(utmd: Utmd): Promise<IncidentView[]> {
  const r = await utmd.ctl(['incidents', '--json']);
  if (r.code !== 0) throw new Error(`utmctl incidents failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as IncidentView[];
}

/** Polls until the device's incident holds an alert of `kind`; returns that incident. */
export async function waitIncident(utmd: Utmd, deviceIp: string, kind: string, timeoutMs = 60_000): Promise<IncidentView> {
  return waitFor(async () => (await incidents(utmd)).find((i) => i.device.ip === deviceIp && i.alerts.some((a) => a.kind === kind)),
    { what: `an incident with a ${kind} alert for ${deviceIp}`, timeoutMs, intervalMs: 500 });
}

/** Every upstream line about the device must name the same incident; returns those lines. */
export async function upstreamLines(collector: UdpCollector, deviceIp: string, incidentId: number, kind: string): Promise<string[]> {
  await collector.waitFor((l) => l.includes(`deviceIp="${deviceIp}"`) && l.includes(` ${kind} `) && l.includes(`[utmIncident@32473 id="${incidentId}"`), 30_000);
  return (await collector.messages()).filter((l) => l.includes(`deviceIp="${deviceIp}"`));
}

/** The page (through the lab's UI bridge) as text. */
export async function pageText(lab: Lab): Promise<string> {
  const ui = await startUiBridge(lab, { hostPort: 0 });
  try {
    return await (await fetch(ui.url)).text();
  } finally {
    await ui.stop();
  }
}

/** Incident ids shown on the page. */
export function pageIncidentIds(page: string): number[] {
  return [...page.matchAll(/data-incident-id="(\d+)"/g)].map((m) => Number(m[1]));
}

/** The long-connection poller adapter run against the lab box's conntrack (the same listing
 *  utmd runs in the box), with an age floor of `minAgeMs`: what it hands on for `remote`,
 *  oriented to the office device, collects in `handed`. Call `poller.poll()` to list. */
export function boxConntrackPoller(lab: Lab, remote: string, minAgeMs: number, log: (m: string) => void): { poller: ConntrackPoller; handed: FlowRecord[] } {
  const ingest = new FlowIngest({ isLan: makeIsLan([lab.plan.lanPrefix.v4, lab.plan.lanPrefix.v6]), macOf: () => undefined, now: Date.now });
  const handed: FlowRecord[] = [];
  const poller = new ConntrackPoller({
    everyMs: 3_600_000, minAgeMs: () => minAgeMs, now: Date.now,
    list: () => lab.exec(lab.ns.box, ['conntrack', '-L', '-o', 'extended,id,ktimestamp']),
    onRecord: (rec) => {
      const r = parseNfct(rec, Date.now());
      const f = r.ok ? ingest.toRecord(r.event) : undefined;
      if (f?.remoteIp === remote) handed.push(f);
    },
    onError: (e) => log(`listing failed: ${String(e)}`),
  });
  return { poller, handed };
}
