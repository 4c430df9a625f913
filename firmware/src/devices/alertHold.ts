// When a new device's alert may be raised, and how a later reclassification corrects it. Pure.
// A wrong end-of-life or phone alert is the costliest kind (a phone call, and trust lost), and
// the evidence that would have prevented it usually arrives seconds after the first DHCP packet:
// Windows 10 sends Windows 7's option list but looks up msftconnecttest.com at once; a phone
// looks up its maker's connectivity check. So an alert whose wording rests on the classification
// (an old PC, a personal phone) waits up to `policy.evidenceMs` after the device is decided, or
// until decisive evidence arrives, whichever is first. Everything else about a new device (its
// status, auto-quarantine, private-MAC linking, the question to staff when its kind is unknown)
// is decided at once. An alert already raised whose kind a later reclassification changes is
// corrected in place (alerts/pipeline.ts `replaces`), never left standing.
import type { Finding } from '../alerts/types.js';
import type { FingerprintTable, OsFamily } from './fingerprints.js';
import { newDeviceFinding, newDeviceKind, type LinkBasis } from './inventoryFindings.js';
import type { Device, InventoryPolicy } from './model.js';

const APPLE: ReadonlySet<OsFamily> = new Set(['apple', 'ios', 'macos']);
const sameFamily = (a: OsFamily, b: OsFamily): boolean => a === b || (APPLE.has(a) && APPLE.has(b));

/** True when no evidence the box may still get could change what the alert would say: the
 *  alert does not rest on the classification (unknown kind), or the device has looked up its
 *  own family's connectivity check and the table knows no name that could still overrule the
 *  verdict (a `currentRelease` hint of that family: Windows 10 also sends Windows 7's list and
 *  also looks up msftncsi.com, so only the window's end decides a Windows end-of-life flag). */
export function decisive(table: FingerprintTable | null, d: Device): boolean {
  if (newDeviceKind(d) === 'new_device_unknown') return true;
  if (table === null) return false;
  const hints = d.dnsHints ?? [];
  const agreed = table.dnsHints.some((h) => hints.includes(h.id) && sameFamily(h.osFamily, d.osFamily));
  const overrulable = table.dnsHints.some((h) => h.currentRelease !== undefined && sameFamily(h.osFamily, d.osFamily));
  return agreed && !overrulable;
}

/** Until when the alert of a device decided at `now` waits; null to raise it now. */
export function holdUntil(table: FingerprintTable | null, d: Device, now: number, policy: InventoryPolicy): number | null {
  return policy.evidenceMs > 0 && !decisive(table, d) ? now + policy.evidenceMs : null;
}

/** The linking facts kept on the device when it was decided. */
export function linkBasisOf(d: Device): LinkBasis {
  return { verdict: d.maybeSameAs !== null ? 'maybe' : 'new', mac: d.maybeSameAs, score: d.linkEvidence?.score ?? 0, signals: d.linkEvidence?.signals ?? [] };
}

/** The device without a held alert. */
function released(d: Device): Device {
  const { alertHeldUntil, ...rest } = d;
  return alertHeldUntil === undefined ? d : rest;
}

/** For a device already decided: raises its held alert when due (the window ended, or decisive
 *  evidence came), or corrects its alert when later evidence changed what it says. Returns the
 *  device as it now is and the findings (at most one). `maybe` is the earlier device it may be. */
export function settleAlert(table: FingerprintTable | null, d: Device, maybe: Device | null, now: number): { device: Device; findings: Finding[] } {
  if (d.alertHeldUntil !== undefined) {
    // Staff answered the question before it was asked (approved from the device list): nothing to ask.
    if (d.status === 'approved' || d.status === 'learning') return { device: released(d), findings: [] };
    if (now < d.alertHeldUntil && !decisive(table, d)) return { device: d, findings: [] };
    const device = { ...released(d), alertKind: newDeviceKind(d) };
    return { device, findings: [newDeviceFinding(device, maybe, linkBasisOf(d), now)] };
  }
  const kind = newDeviceKind(d);
  if (d.alertKind === undefined || d.alertKind === kind) return { device: d, findings: [] };
  const device = { ...d, alertKind: kind };
  const f = newDeviceFinding(device, maybe, linkBasisOf(d), now);
  // The words say what was corrected (webui/src/i18n/alerts/devices.ts).
  return { device, findings: [{ ...f, params: { ...f.params, correctedFrom: d.alertKind }, replaces: [d.alertKind] }] };
}

/** A device said to be "maybe the same" as `old` when `old` is seen again after it appeared: both
 *  are in use, so they are two devices. The claim is withdrawn on the device and, when its alert
 *  was raised, in the alert (restated with the same kind). Null when `d` makes no such claim. */
export function withdrawMaybe(d: Device, old: Device, now: number): { device: Device; findings: Finding[] } | null {
  if (d.maybeSameAs !== old.mac || d.firstSeen <= old.lastSeen) return null;
  const signals = [...(d.linkEvidence?.signals ?? []), 'both_active'].slice(-12);
  const device: Device = { ...d, maybeSameAs: null, linkEvidence: { score: 0, signals } };
  if (d.alertKind === undefined || d.alertHeldUntil !== undefined) return { device, findings: [] };
  const f = newDeviceFinding(device, null, linkBasisOf(device), now);
  return { device, findings: [{ ...f, params: { ...f.params, maybeWithdrawn: true }, replaces: [d.alertKind] }] };
}
