// utmctl's human output for devices. Every device-supplied string (hostname, vendor class,
// label, vendor) passes through forTerminal: a hostile DHCP hostname cannot drive the
// technician's terminal.
import { forTerminal } from '../text/escape.js';
import type { Device } from './model.js';

const time = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
const t = (v: unknown, max = 64): string => {
  const text: unknown = v ?? '-';
  return forTerminal(String(text), max);
};

/** Prints `utmctl devices`. */
export function printDevices(r: unknown, out: (s: string) => void): void {
  const { devices, learning } = r as { devices: Device[]; learning: { active: boolean; until: number } };
  if (learning.active) out(`learning period until ${time(learning.until)} (new devices are recorded without alerts)\n`);
  if (devices.length === 0) { out('no devices yet\n'); return; }
  for (const d of devices) {
    const flags = [d.randomised ? 'private-mac' : null, d.likelyPersonalPhone ? 'personal-phone?' : null, d.eol ? 'END-OF-LIFE' : null, d.linkedTo ? `same-as ${d.linkedTo}` : null, d.maybeSameAs ? `maybe ${d.maybeSameAs}` : null].filter(Boolean).join(',');
    out(`${d.mac}  ${d.status.padEnd(11)} ${t(d.ipv4[0] ?? d.ipv6[0] ?? '-').padEnd(15)} name=${t(d.label ?? d.hostname)} vendor=${t(d.vendor, 40)} os=${t(d.osName || d.osFamily, 30)} type=${d.deviceType} conf=${d.confidence}` +
      `${flags ? ` [${flags}]` : ''}  first ${time(d.firstSeen)} last ${time(d.lastSeen)}\n`);
    if (d.fingerprint?.vendorClass) out(`    vendor class: ${t(d.fingerprint.vendorClass, 128)}\n`);
    if (d.classEvidence?.length) out(`    classified by: ${t(d.classEvidence.join(' '), 400)}\n`);
    // The new-device alert: waiting for evidence (alertHold.ts), or the kind it says now.
    if (d.alertHeldUntil !== undefined) out(`    alert waits for evidence until ${time(d.alertHeldUntil)}\n`);
    else if (d.alertKind !== undefined) out(`    alert: ${d.alertKind}${d.linkEvidence?.signals.includes('both_active') ? ' ("maybe the same" withdrawn: both seen in use)' : ''}\n`);
  }
}

/** Prints the result of `utmctl device approve|quarantine|release|label|audit`. */
export function printDeviceResult(cmd: string, r: unknown, out: (s: string) => void): void {
  if (cmd === 'device.label') {
    const x = r as { mac: string; label: string | null };
    out(`${x.mac}: label ${x.label === null ? 'cleared' : `set to ${t(x.label)}`}\n`);
    return;
  }
  const x = r as { mac: string; changed: boolean; status: string; enforced: boolean };
  out(`${x.mac}: ${x.changed ? 'now' : 'already'} ${x.status}${x.changed && !x.enforced ? ' (kernel update pending: see utmctl status)' : ''}\n`);
}

/** Prints `utmctl device audit`, newest first. */
export function printAudit(list: { at: number; actor: string; action: string; mac: string; from: string | null; to: string | null; detail?: string }[], out: (s: string) => void): void {
  if (list.length === 0) { out('no device decisions recorded\n'); return; }
  for (const e of list) out(`${time(e.at)} ${t(e.actor).padEnd(24)} ${e.action.padEnd(15)} ${e.mac} ${e.from ?? '-'} -> ${e.to ?? '-'}${e.detail ? `  ${t(e.detail, 200)}` : ''}\n`);
}
