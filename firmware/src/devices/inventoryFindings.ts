// Findings and audit entries the inventory produces, kept apart from the reducer's logic.
import type { Finding } from '../alerts/types.js';
import type { AuditEntry, Device, InventoryPolicy } from './model.js';

export type NewDeviceKind = 'new_device_phone' | 'new_device_eol' | 'new_device_unknown';

/** How private-MAC linking decided (link.ts LinkResult, or the same facts kept on the device). */
export interface LinkBasis { verdict: string; mac: string | null; score: number; signals: readonly string[] }

/** Which wording a new device gets: end-of-life PC first (its own advice), then phone. */
export function newDeviceKind(d: Device): NewDeviceKind {
  if (d.eol) return 'new_device_eol';
  if (d.likelyPersonalPhone) return 'new_device_phone';
  return 'new_device_unknown';
}

/** Returns audit + e, keeping at most policy.auditMax entries (oldest dropped first).
 *  Copies only here, so observations that change no status cost nothing. */
export function appendAudit(audit: readonly AuditEntry[], policy: InventoryPolicy, e: AuditEntry): AuditEntry[] {
  const keep = Math.max(0, policy.auditMax - 1);
  const next = audit.length > keep ? audit.slice(audit.length - keep) : audit.slice();
  next.push(e);
  return next;
}

/** The single alert for a device first seen after the learning period. */
export function newDeviceFinding(d: Device, maybe: Device | null, link: LinkBasis, at: number): Finding {
  return {
    kind: newDeviceKind(d),
    severity: 'warning',
    dedupKey: `device:${d.mac}`,
    at,
    device: { mac: d.mac, ip: d.ipv4[0] ?? d.ipv6[0] },
    action: d.status === 'quarantined' ? 'quarantined' : 'none',
    params: {
      mac: d.mac,
      ip: d.ipv4[0] ?? d.ipv6[0],
      hostname: d.hostname ?? undefined,
      vendor: d.vendor ?? undefined,
      osName: d.osName === '' ? undefined : d.osName,
      deviceType: d.deviceType,
      randomised: d.randomised,
      quarantined: d.status === 'quarantined',
      maybeSameAs: maybe?.mac,
      maybeSameAsName: maybe ? (maybe.label ?? maybe.hostname ?? undefined) : undefined,
    },
    evidence: {
      osFamily: d.osFamily, confidence: d.confidence, eol: d.eol, likelyPersonalPhone: d.likelyPersonalPhone, phoneReasons: d.phoneReasons, basis: d.classEvidence ?? [],
      prl: d.fingerprint?.prl ?? null, vendorClass: d.fingerprint?.vendorClass ?? null, clientId: d.fingerprint?.clientId ?? null,
      link: { verdict: link.verdict, mac: link.mac, score: link.score, signals: [...link.signals] },
      firstSeen: d.firstSeen,
    },
  };
}

/** Confirms to staff (and upstream) that a device was put into quarantine. */
export function quarantinedFinding(d: Device, actor: string, at: number): Finding {
  return {
    kind: 'device_quarantined',
    severity: 'info',
    dedupKey: `quarantine:${d.mac}`,
    at,
    device: { mac: d.mac, ip: d.ipv4[0] ?? d.ipv6[0] },
    action: 'quarantined',
    // Its kind and maker too: a known iPhone is not a device of unknown kind once quarantined.
    params: {
      mac: d.mac, ip: d.ipv4[0] ?? d.ipv6[0], hostname: d.hostname ?? undefined, label: d.label ?? undefined,
      vendor: d.randomised ? undefined : (d.vendor ?? undefined), deviceType: d.deviceType, actor,
    },
    evidence: { actor, osName: d.osName, deviceType: d.deviceType },
  };
}
