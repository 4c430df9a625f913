// Staff and technician decisions on a device — approve, quarantine, release, label — as a pure
// function over the inventory. Every change is recorded with who did it and when; quarantine
// changes come back as requests for the adapter that owns the kernel's MAC quarantine set.
import type { Finding } from '../alerts/types.js';
import { isValidAddress } from '../net/ip.js';
import { appendAudit, quarantinedFinding } from './inventoryFindings.js';
import { LABEL_MAX, type ActionRequest, type Device, type DeviceStatus, type InventoryPolicy, type InventoryState } from './model.js';

export type DeviceAction =
  | { type: 'approve' | 'quarantine' | 'release'; mac: string; actor: string; at: number }
  | { type: 'label'; mac: string; actor: string; at: number; label: string | null };

export type ActionResult =
  | { ok: true; state: InventoryState; findings: Finding[]; actions: ActionRequest[]; changed: boolean }
  | { ok: false; reason: 'unknown_device' | 'bad_actor' };

const TARGET: Record<'approve' | 'quarantine' | 'release', DeviceStatus> = { approve: 'approved', quarantine: 'quarantined', release: 'new' };

/** Cleans a staff label: trimmed, control characters removed, at most LABEL_MAX characters;
 *  empty → null. Never throws. */
export function cleanLabel(label: string | null): string | null {
  if (label === null) return null;
  const s = Array.from(label.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '').trim()).slice(0, LABEL_MAX).join('');
  return s === '' ? null : s;
}

/** Applies one decision. Approve: known, never alerted again (and lifted from quarantine).
 *  Quarantine: status quarantined + quarantine_add. Release: back to unapproved + quarantine_remove.
 *  Repeating an action is a no-op (changed: false). Pure; never throws. */
export function applyAction(state: InventoryState, a: DeviceAction, policy: InventoryPolicy): ActionResult {
  const actor = a.actor.trim().slice(0, 64);
  if (actor === '') return { ok: false, reason: 'bad_actor' };
  const d = state.devices.get(a.mac);
  if (d === undefined) return { ok: false, reason: 'unknown_device' };
  let audit = state.audit;
  const findings: Finding[] = [];
  const actions: ActionRequest[] = [];
  let next: Device;

  if (a.type === 'label') {
    const label = cleanLabel(a.label);
    if (label === d.label) return { ok: true, state, findings, actions, changed: false };
    next = { ...d, label };
    audit = appendAudit(audit, policy, { at: a.at, actor, action: 'label', mac: d.mac, from: d.status, to: d.status, detail: label ?? '(cleared)' });
  } else {
    const to = TARGET[a.type];
    if (a.type === 'release' && d.status !== 'quarantined') return { ok: true, state, findings, actions, changed: false };
    if (d.status === to) return { ok: true, state, findings, actions, changed: false };
    // An approved or released device has had its one alert; it is not alerted again.
    next = { ...d, status: to, alerted: true, pendingSince: null };
    if (to === 'quarantined') { actions.push({ type: 'quarantine_add', mac: d.mac }); findings.push(quarantinedFinding(next, actor, a.at)); }
    if (d.status === 'quarantined') actions.push({ type: 'quarantine_remove', mac: d.mac });
    audit = appendAudit(audit, policy, { at: a.at, actor, action: a.type, mac: d.mac, from: d.status, to });
  }
  return { ok: true, state: { ...state, devices: state.devices.set(next), audit }, findings, actions, changed: true };
}

/** The MACs that must be in the kernel quarantine set (for a full resync at start). */
export function quarantinedMacs(state: InventoryState): string[] {
  return [...state.devices.values()].filter((d) => d.status === 'quarantined').map((d) => d.mac).sort();
}

/** Every address the inventory holds for a quarantined device (DHCP, leases, kernel tables):
 *  also those of a device that opened no connection through the box lately. Only strictly
 *  formed addresses are returned: they reach `conntrack -D` (the store keeps text). */
export function quarantinedAddresses(state: InventoryState): { mac: string; ipv4?: string; ipv6?: string }[] {
  return quarantinedMacs(state).flatMap((mac) => {
    const d = state.devices.get(mac);
    return d ? [...d.ipv4.filter(isValidAddress).map((ipv4) => ({ mac, ipv4 })), ...d.ipv6.filter(isValidAddress).map((ipv6) => ({ mac, ipv6 }))] : [];
  });
}
