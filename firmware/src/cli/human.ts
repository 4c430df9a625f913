// Human-readable output of utmctl. Anything that came from the network is passed through
// `safe()` so a hostile hostname cannot move the cursor or rewrite the terminal.
import { forTerminal } from '../text/escape.js';
import type { Alert } from '../alerts/types.js';
import type { Incident } from '../alerts/incidents.js';
import type { Mute } from '../alerts/mutes.js';
import type { UpstreamView } from '../app/reporting.js';

/** The words the office was told, as the daemon's catalog explains an alert (absent from older daemons). */
interface Told { text?: { title: string; todo: string } | undefined }
type AlertView = Alert & Told & { deviceName?: string | undefined };
type IncidentView = Incident & Told & { id: number; alerts: Alert[]; deviceName?: string | undefined };
import { printBlocklistHuman } from './blocklistHuman.js';
import { printAudit, printDevices, printDeviceResult } from '../devices/human.js';
import { printUpstreamStatus } from './upstreamHuman.js';
import { printFlows } from './flowsHuman.js';

export const safe = (v: unknown): string => {
  const text: unknown = v ?? '-';
  return forTerminal(String(text), 2000);
};

/** "2026-11-26 14:02:11" (UTC), or '-'. */
export const time = (ms: number | null | undefined): string => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '-');

/** Words utmctl takes from the message catalog (webui/src/i18n), passed in by its entry point. */
export interface CliWords {
  /** A span of ms in words ("2 h 5 min"). */
  duration(ms: number): string;
}

/** Prints the result of `cmd` for a person. */
export function printHuman(cmd: string, r: unknown, out: (s: string) => void, words: CliWords): void {
  if (cmd === 'status') return printStatus(r as StatusAnswer, out);
  if (cmd === 'upstream.status') return printUpstreamStatus(r as UpstreamView, out, (ms) => words.duration(ms));
  if (cmd === 'alerts') return printAlerts(r as AlertView[], out);
  if (cmd === 'incidents') return printIncidents(r as IncidentView[], out);
  if (cmd === 'mute.list') return printMutes(r as Mute[], out);
  if (cmd === 'mute.add') {
    const m = r as Mute;
    out(`mute #${m.id} added: ${muteLine(m)}\n`);
    return;
  }
  if (cmd === 'devices' || cmd === 'devices.scan') return printDevices(r, out);
  if (cmd === 'devices.audit') return printAudit(r as { at: number; actor: string; action: string; mac: string; from: string | null; to: string | null; detail?: string }[], out);
  if (cmd.startsWith('device.')) return printDeviceResult(cmd, r, out);
  if (cmd === 'traffic.names') return printNames(r as { names: NameRow[]; total?: number }, out);
  if (cmd === 'traffic.flows') return printFlows(r as Parameters<typeof printFlows>[0], out);
  if (cmd === 'web.cert') {
    const c = r as { source: string; fingerprint256: string; spkiSha256: string; notAfter: number; subjectAltName: string; httpsPort: number };
    out(`secure page: https on port ${c.httpsPort} (${c.source === 'provisioning' ? 'certificate from the provisioning bundle' : 'certificate made by this box'})\n`
      + `SHA-256 fingerprint: ${safe(c.fingerprint256)}\n(compare it with the one the browser shows for the page)\n`
      + `public key pin (SPKI SHA-256): ${safe(c.spkiSha256)}\nnames: ${safe(c.subjectAltName || '-')}\nvalid until: ${new Date(c.notAfter).toISOString()}\n`);
    return;
  }
  if (cmd === 'password') {
    const p = r as { source: string; password: string | null };
    out(p.password ? `admin password: ${safe(p.password)}\n(generated for this box at first start; tell it only to the office's administrator)\n` : 'the admin password was set by the provider (provisioning bundle)\n');
    return;
  }
  if (cmd === 'ruleset.check') {
    const c = r as { ok: boolean; checkError: string | null; drift: string[]; lastApplyError: string | null };
    out(c.ok ? 'ruleset: OK (nft -c passes, kernel matches)\n' : 'ruleset: PROBLEM\n');
    if (c.checkError) out(`  nft -c: ${safe(c.checkError)}\n`);
    for (const d of c.drift) out(`  drift: ${safe(d)}\n`);
    if (c.lastApplyError) out(`  last apply error: ${safe(c.lastApplyError)}\n`);
    return;
  }
  if (printBlocklistHuman(cmd, r, out)) return;
  out(`${JSON.stringify(r, null, 2)}\n`);
}

/** `status` as this printer reads it: every part may be absent (an older daemon). */
interface StatusAnswer {
  deviceId?: string; mode?: string; uptimeSeconds?: number;
  interfaces?: { wan?: string; lan?: string[] };
  lanPrefixes?: string[];
  ports?: { proven?: boolean; wan?: string | null; served?: string[]; seen?: Record<string, string[]> };
  alerts?: { total?: number };
  upstream?: { pending?: { count?: number } };
  memory?: { rssBytes?: number; collector?: { available?: boolean; collections?: number; freedBytes?: number } };
  storage?: { freeBytes: number | null; minFreeBytes: number; writable: boolean; writeFailures?: number; held?: number; reserve?: { bytes: number; present: boolean; released: number } };
  page?: { open?: number; clients?: number; refusedPerClient?: number; timedOut?: number };
  capture?: { frames?: number; kernelDrops?: number; overflows?: number; truncated?: number; health?: { ok: boolean }[] };
  control?: { inProgress?: { cmd: string; elapsedMs: number }[] };
  conditions?: { id: string; ok: boolean; since: number; detail?: string }[];
}

function printStatus(s: StatusAnswer, out: (s: string) => void): void {
  const conds = s.conditions ?? [];
  out(`device     ${safe(s.deviceId)}\n`);
  out(`mode       ${safe(s.mode)}  (WAN ${safe(s.interfaces?.wan)}, LAN ${safe((s.interfaces?.lan ?? []).join(','))})\n`);
  out(`office     ${safe((s.lanPrefixes ?? []).join(', ') || '-')}\n`);
  const p = s.ports;
  if (p) out(`ports      ${p.proven ? `worked out: WAN ${safe(p.wan)} (seen: ${safe((p.seen?.[p.wan ?? ''] ?? []).join(', '))}), office ${safe((p.served ?? []).join(','))}` : 'NOT YET WORKED OUT: serving nothing on unproven ports'}\n`);
  out(`uptime     ${safe(s.uptimeSeconds)} s\n`);
  out(`alerts     ${safe(s.alerts?.total)} stored\n`);
  out(`upstream   ${safe(s.upstream?.pending?.count ?? '-')} waiting to be sent\n`);
  const gc = s.memory?.collector;
  const idle = gc?.available ? `; idle collections ${safe(gc.collections ?? 0)} (${Math.round((gc.freedBytes ?? 0) / 1048576)} MiB of garbage freed)` : gc ? '; idle collector off (node without --expose-gc)' : '';
  out(`memory     ${Math.round((s.memory?.rssBytes ?? 0) / 1048576)} MiB RSS${idle}\n`);
  if (s.storage) {
    const st = s.storage;
    out(`storage    ${st.freeBytes === null ? '?' : Math.floor(st.freeBytes / 1048576)} MiB free (threshold ${Math.floor(st.minFreeBytes / 1048576)}), `
      + `${st.writable ? 'writes ok' : 'WRITES FAILING'}${st.writeFailures ? `, ${safe(st.writeFailures)} failed writes` : ''}${st.held ? `, ${safe(st.held)} findings held` : ''}${reserveText(st.reserve)}\n`);
  }
  if (s.capture) {
    const c = s.capture;
    const h = c.health?.[0];
    out(`capture    ${h ? (h.ok ? 'one tcpdump on every port' : 'NOT RUNNING') : 'idle'}: ${safe(c.frames)} frames; `
      + `lost: ${safe(c.kernelDrops)} dropped by the kernel, ${safe(c.overflows)} reader overflows, ${safe(c.truncated)} truncated\n`);
  }
  if (s.page) out(`page       ${safe(s.page.open)} connections from ${safe(s.page.clients)} clients; refused over the per-client cap ${safe(s.page.refusedPerClient)}, timed out ${safe(s.page.timedOut)}\n`);
  for (const c of s.control?.inProgress ?? []) out(`working on ${safe(c.cmd)} for ${Math.round(c.elapsedMs / 1000)} s\n`);
  out('conditions\n');
  for (const c of conds) out(`  ${c.ok ? 'ok  ' : 'FAIL'} ${safe(c.id).padEnd(10)} since ${time(c.since)}  ${safe(c.detail ?? '')}\n`);
}

/** "    told: <title> / <what to do>" when the daemon explained the alert. */
/** The state dir's reserve (app/storage.ts), when one is configured. */
function reserveText(r: { bytes: number; present: boolean; released: number } | undefined): string {
  if (!r?.bytes) return '';
  return `, reserve ${safe(Math.round(r.bytes / 1048576))} MiB ${r.present ? 'held' : 'NOT HELD'}${r.released ? ` (released ${safe(r.released)}× by a full disk)` : ''}`;
}

function toldLine(v: Told): string {
  return v.text ? `    told: ${safe(v.text.title)} / ${safe(v.text.todo)}\n` : '';
}

function printAlerts(list: AlertView[], out: (s: string) => void): void {
  if (!list.length) {
    out('no alerts\n');
    return;
  }
  for (const a of list) {
    // The device as staff know it first (label "…", hostname "…", or maker and kind), then its address.
    const dev = [a.deviceName, a.device.ip, a.device.mac].filter(Boolean).join(' ');
    out(`#${a.id} ${time(a.lastSeen)} ${safe(a.severity).padEnd(7)} ${safe(a.kind)}  device ${safe(dev || '-')}  remote ${remoteText(a)}  ` +
      `${safe(a.direction ?? '')} ${safe(a.action)} x${a.count} (first ${time(a.firstSeen)})${a.incidentId ? ` incident #${a.incidentId}` : ''}\n`);
    out(toldLine(a));
    out(`    evidence ${safe(JSON.stringify(a.evidence))}\n`);
  }
}

function printIncidents(list: IncidentView[], out: (s: string) => void): void {
  if (!list.length) {
    out('no incidents\n');
    return;
  }
  for (const i of list) {
    const dev = [i.deviceName, i.device.ip, i.device.mac].filter(Boolean).join(' ');
    out(`incident #${i.id} ${safe(i.severity).padEnd(7)} device ${safe(dev || '-')}  ${time(i.openedAt)} .. ${time(i.lastAt)}  ` +
      `${i.findings} finding(s): ${safe(i.kinds.join(', '))}  stages ${safe(i.stages.join('>') || '-')}\n`);
    out(toldLine(i));
    for (const a of i.alerts) out(`    #${a.id} ${safe(a.kind)} ${safe(a.severity)} remote ${remoteText(a)} x${a.count}  ${safe(JSON.stringify(a.evidence))}\n`);
  }
}

/** "198.51.100.66 (c2.example)": the address and, when the DNS name sensor knew it, the name
 *  (attacker-chosen text: escaped like everything else). */
function remoteText(a: Alert): string {
  const name = a.evidence['remoteName'];
  return `${safe(a.remote?.ip ?? '-')}${typeof name === 'string' ? ` (${forTerminal(name, 255)})` : ''}`;
}

interface NameRow { ip: string; name: string; canonical?: string | undefined; expires: number }

function printNames(r: { names: NameRow[]; total?: number }, out: (s: string) => void): void {
  if (!r.names.length) out('no names learned\n');
  for (const n of r.names) {
    out(`${safe(n.ip).padEnd(39)} ${forTerminal(n.name, 255)}${n.canonical ? ` (→ ${forTerminal(n.canonical, 255)})` : ''}  until ${time(n.expires)}\n`);
  }
  if (r.total !== undefined && r.total > r.names.length) out(`(${r.names.length} of ${r.total} shown; --limit N for more)\n`);
}

function muteLine(m: Mute): string {
  return `device ${safe(m.device ?? '*')} remote ${safe(m.remote ?? '*')} kind ${safe(m.kind ?? '*')} until ${m.until === null ? 'removed' : time(m.until)}${m.reason ? ` (${safe(m.reason)})` : ''}`;
}

function printMutes(list: Mute[], out: (s: string) => void): void {
  if (!list.length) out('no mutes\n');
  for (const m of list) out(`#${m.id} ${muteLine(m)}\n`);
}
