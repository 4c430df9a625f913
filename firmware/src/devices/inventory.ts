// The device inventory as a pure reducer: observations in, new state plus findings (alerts
// for the pipeline) and action requests (for the quarantine set adapter) out. It implements
// the silent learning period, the single new-device alert, private-MAC linking, the provider's
// auto-quarantine policy and a bounded device table.
import type { Finding } from '../alerts/types.js';
import { classify, type Classification } from './classify.js';
import { matchFingerprint, type FingerprintTable } from './fingerprints.js';
import { LIMITS } from './dhcp.js';
import { isLocallyAdministered } from '../net/mac.js';
import type { Family } from '../net/ip.js';
import { normalizeIp } from '../net/ipText.js';
import { DEFAULT_LINK_POLICY, linkDevice, type LinkResult } from './link.js';
import type { DeviceTable } from './deviceTable.js';
import type { ActionRequest, AuditEntry, Device, InventoryPolicy, InventoryState, Observation } from './model.js';
import { appendAudit, newDeviceFinding, newDeviceKind } from './inventoryFindings.js';
import { holdUntil, settleAlert, withdrawMaybe } from './alertHold.js';

const DAY = 86_400_000;

export interface Step {
  state: InventoryState;
  findings: Finding[];
  actions: ActionRequest[];
}

/** True while devices are being learned silently (first policy.learningDays after startedAt). */
export function inLearning(state: InventoryState, now: number, policy: Pick<InventoryPolicy, 'learningDays'>): boolean {
  return now < state.startedAt + policy.learningDays * DAY;
}

/** `text` as the newest address of `family` in `list` (canonical, net/ip's rules); anything else is ignored. */
function pushFront(list: readonly string[], text: string | undefined, max: number, family: Family): string[] {
  const a = text === undefined ? undefined : normalizeIp(text);
  if (a === undefined || a.family !== family || a.ip === '0.0.0.0') return [...list];
  return [a.ip, ...list.filter((x) => x !== a.ip)].slice(0, max);
}

function classification(table: FingerprintTable, obs: Observation, hostname: string | null, fp: Device['fingerprint'], dnsHints: readonly string[]): Classification {
  const match = fp ? matchFingerprint(table, { prl: fp.prl, vendorClass: fp.vendorClass, vendor: obs.vendor }) : matchFingerprint(table, { prl: [], vendorClass: null, vendor: obs.vendor });
  return classify(table, { match, hostname, vendor: obs.vendor, randomised: isLocallyAdministered(obs.mac), vendorClass: fp?.vendorClass ?? null, dnsHints });
}

/** The device's DNS hints with this observation's added (at most 8, first seen first). */
function hintsWith(prev: readonly string[] | undefined, obs: Observation): readonly string[] {
  const list = prev ?? [];
  const h = obs.dnsHint;
  return h === undefined || list.includes(h) || list.length >= 8 ? list : [...list, h];
}

/** Folds one observation into a record (new or existing). */
function merge(table: FingerprintTable, prev: Device | undefined, obs: Observation): Device {
  const d = obs.dhcp;
  const pf = prev?.fingerprint ?? null;
  // Observations may come from other adapters too (dnsmasq leases): cap hostile values here.
  const hostname = d?.hostname?.slice(0, LIMITS.hostname) ?? prev?.hostname ?? null;
  // A RELEASE or INFORM often carries no option 55 or 60: keep what the device said before.
  const fp = d ? {
    prl: d.prl.length > 0 ? d.prl.slice(0, LIMITS.prl) : pf?.prl ?? [],
    vendorClass: d.vendorClass?.slice(0, LIMITS.vendorClass) ?? pf?.vendorClass ?? null,
    clientId: d.clientId !== null && /^[0-9a-f]*$/.test(d.clientId) ? d.clientId.slice(0, LIMITS.clientIdBytes * 2) : pf?.clientId ?? null,
  } : pf;
  const changed = fp !== null && (pf === null || hostname !== prev?.hostname || fp.vendorClass !== pf.vendorClass || !samePrl(fp.prl, pf.prl));
  const dnsHints = hintsWith(prev?.dnsHints, obs);
  // A record without classEvidence was classified by an older table (prefix matching): redo it once.
  const reclassify = prev === undefined || changed || (prev.vendor === null && obs.vendor !== null) || prev.classEvidence === undefined
    || dnsHints.length !== (prev.dnsHints?.length ?? 0);
  const c = reclassify ? classification(table, obs, hostname, fp, dnsHints) : null;
  const base: Device = prev ?? {
    mac: obs.mac, ipv4: [], ipv6: [], hostname: null, vendor: null, randomised: isLocallyAdministered(obs.mac),
    fingerprint: null, osFamily: 'unknown', osName: '', deviceType: 'unknown', confidence: 0, eol: false,
    likelyPersonalPhone: false, phoneReasons: [], firstSeen: obs.at, lastSeen: obs.at, status: 'new', label: null,
    linkedTo: null, maybeSameAs: null, alerted: false, pendingSince: null,
  };
  return {
    ...base,
    ipv4: pushFront(base.ipv4, obs.ipv4, 4, 4),
    ipv6: pushFront(base.ipv6, obs.ipv6, 8, 6),
    hostname,
    vendor: obs.vendor?.slice(0, 80) ?? base.vendor,
    fingerprint: fp,
    ...(dnsHints.length > 0 ? { dnsHints: [...dnsHints] } : {}),
    ...(c ? { osFamily: c.osFamily, osName: c.osName, deviceType: c.deviceType, confidence: c.confidence, eol: c.eol, likelyPersonalPhone: c.likelyPersonalPhone, phoneReasons: c.reasons, classEvidence: c.evidence } : {}),
    firstSeen: Math.min(base.firstSeen, obs.at),
    lastSeen: Math.max(base.lastSeen, obs.at),
  };
}

function samePrl(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function linkFor(table: FingerprintTable | null, dev: Device, devices: DeviceTable, at: number): LinkResult {
  const fp = dev.fingerprint;
  if (!dev.randomised || fp === null) return { verdict: 'new', mac: null, score: 0, signals: [] };
  // Cheap prefilter: a candidate sharing none of client id, hostname or option list can only
  // score on timing, which is below the "maybe" threshold on its own.
  const host = dev.hostname?.trim().toLowerCase() ?? null;
  const candidates = [];
  // A list in the table, or on two or more other devices here, is common: it does not separate devices.
  let sharing = 0;
  for (const c of devices.values()) {
    if (c.mac === dev.mac) continue;
    if (c.fingerprint !== null && samePrl(c.fingerprint.prl, fp.prl) && c.fingerprint.vendorClass === fp.vendorClass) sharing++;
    const shares = (fp.clientId !== null && c.fingerprint?.clientId === fp.clientId)
      || (host !== null && host !== '' && c.hostname !== null && c.hostname.trim().toLowerCase().replace(/\.local$/, '') === host.replace(/\.local$/, ''))
      || (c.fingerprint !== null && samePrl(c.fingerprint.prl, fp.prl));
    if (!shares) continue;
    candidates.push({ mac: c.mac, randomised: c.randomised, clientId: c.fingerprint?.clientId ?? null, hostname: c.hostname, prl: c.fingerprint?.prl ?? [], vendorClass: c.fingerprint?.vendorClass ?? null, firstSeen: c.firstSeen, lastSeen: c.lastSeen });
  }
  const commonFingerprint = (table?.byPrl.has(fp.prl.join(',')) ?? false) || sharing >= 2;
  return linkDevice({ mac: dev.mac, randomised: true, clientId: fp.clientId, hostname: dev.hostname, prl: fp.prl, vendorClass: fp.vendorClass, commonFingerprint, at }, candidates);
}

/** Working copy of the parts of the state one step changes (local to a step; keeps purity). */
interface Draft { devices: DeviceTable; audit: readonly AuditEntry[] }

/** Decides what happens to a device that has just become alert-worthy (after learning). */
function decide(table: FingerprintTable | null, draft: Draft, dev: Device, now: number, policy: InventoryPolicy): { findings: Finding[]; actions: ActionRequest[] } {
  const link = linkFor(table, dev, draft.devices, now);
  const old = link.verdict === 'same' && link.mac !== null ? draft.devices.get(link.mac) : undefined;
  if (old !== undefined) {
    // Same phone with a new private address: it keeps its standing, and a quarantine follows it.
    const status = old.status;
    draft.devices = draft.devices.set({ ...dev, status, label: dev.label ?? old.label, linkedTo: old.mac, alerted: true, pendingSince: null });
    draft.audit = appendAudit(draft.audit, policy, { at: now, actor: 'policy', action: 'link', mac: dev.mac, from: null, to: status, detail: `same device as ${old.mac} (score ${link.score}: ${link.signals.join(',')})` });
    return { findings: [], actions: status === 'quarantined' ? [{ type: 'quarantine_add', mac: dev.mac }] : [] };
  }
  const maybe = link.verdict === 'maybe' && link.mac !== null ? draft.devices.get(link.mac) ?? null : null;
  const quarantine = policy.autoQuarantine;
  // Status, quarantine and linking are decided now; an alert worded on the classification
  // (old PC, personal phone) may wait for the evidence the box will soon have (alertHold.ts).
  const decided: Device = {
    ...dev, status: quarantine ? 'quarantined' : 'new', maybeSameAs: maybe?.mac ?? null, alerted: true, pendingSince: null,
    linkEvidence: { score: link.score, signals: [...link.signals] },
  };
  if (quarantine) draft.audit = appendAudit(draft.audit, policy, { at: now, actor: 'policy', action: 'auto_quarantine', mac: dev.mac, from: 'new', to: 'quarantined' });
  // The earlier device remembers the claim, so seeing it again can withdraw it without a scan.
  if (maybe !== null) draft.devices = draft.devices.set({ ...maybe, maybeOf: [...(maybe.maybeOf ?? []).filter((m) => m !== dev.mac), dev.mac].slice(-8) });
  const actions: ActionRequest[] = quarantine ? [{ type: 'quarantine_add', mac: dev.mac }] : [];
  const held = holdUntil(table, decided, now, policy);
  if (held !== null) {
    draft.devices = draft.devices.set({ ...decided, alertHeldUntil: held });
    return { findings: [], actions };
  }
  const next: Device = { ...decided, alertKind: newDeviceKind(decided) };
  draft.devices = draft.devices.set(next);
  return { findings: [newDeviceFinding(next, maybe, link, now)], actions };
}

/** `prev` (the device before this observation) is seen again after a quiet spell: a device that
 *  appeared meanwhile and was said to be "maybe the same" is another device (both are in use). */
function withdrawMaybes(draft: Draft, prev: Device, now: number): Finding[] {
  // A "maybe" needs the old address quiet this long; the claims are listed on it (decide()).
  if (prev.maybeOf === undefined || now - prev.lastSeen < DEFAULT_LINK_POLICY.quietMs) return [];
  const findings: Finding[] = [];
  const still: string[] = [];
  for (const mac of prev.maybeOf) {
    const d = draft.devices.get(mac);
    const r = d === undefined || d.maybeSameAs !== prev.mac ? null : withdrawMaybe(d, prev, now);
    if (r !== null) {
      draft.devices = draft.devices.set(r.device);
      findings.push(...r.findings);
    } else if (d?.maybeSameAs === prev.mac) still.push(mac);
  }
  const self = draft.devices.get(prev.mac);
  if (self !== undefined) {
    const { maybeOf: _claims, ...rest } = self;
    draft.devices = draft.devices.set(still.length > 0 ? { ...rest, maybeOf: still } : rest);
  }
  return findings;
}

/** A decided device's held alert when due, or the correction of its alert (alertHold.ts). */
function settle(table: FingerprintTable | null, draft: Draft, dev: Device, now: number): Finding[] {
  const maybe = dev.maybeSameAs !== null ? draft.devices.get(dev.maybeSameAs) ?? null : null;
  const r = settleAlert(table, dev, maybe, now);
  if (r.device !== dev) draft.devices = draft.devices.set(r.device);
  return r.findings;
}

/** Chooses a device to forget when the table is full: the longest-unseen unapproved device
 *  not seen for policy.staleAfterDays. Returns null when none qualifies. */
function evictable(devices: DeviceTable, now: number, policy: InventoryPolicy): Device | null {
  let victim: Device | null = null;
  for (const d of devices.values()) {
    if (d.status === 'approved' || d.status === 'quarantined') continue;
    if (now - d.lastSeen < policy.staleAfterDays * DAY) continue;
    if (victim === null || d.lastSeen < victim.lastSeen) victim = d;
  }
  return victim;
}

/** Folds one observation into the inventory. Pure: `now` is the injected clock, the
 *  fingerprint table is plain data. Never throws for well-formed observations. */
export function observe(state: InventoryState, obs: Observation, now: number, policy: InventoryPolicy, table: FingerprintTable): Step {
  const draft: Draft = { devices: state.devices, audit: state.audit };
  let counters = state.counters;
  const prev = draft.devices.get(obs.mac);
  // A name looked up refines a device already known; it never creates one, and a hint the
  // device already has changes nothing.
  if (obs.source === 'dns' && (prev === undefined || obs.dnsHint === undefined || prev.dnsHints?.includes(obs.dnsHint) === true)) {
    return { state, findings: [], actions: [] };
  }
  const learning = inLearning(state, now, policy);
  let findings: Finding[] = [];
  let actions: ActionRequest[] = [];

  if (prev === undefined && draft.devices.size >= policy.maxDevices) {
    const victim = evictable(draft.devices, now, policy);
    if (victim === null) {
      return { state: { ...state, counters: { ...counters, dropped: counters.dropped + 1 } }, findings, actions };
    }
    draft.devices = draft.devices.delete(victim.mac);
    counters = { ...counters, evicted: counters.evicted + 1 };
    draft.audit = appendAudit(draft.audit, policy, { at: now, actor: 'policy', action: 'evict', mac: victim.mac, from: victim.status, to: null });
  }

  let dev = merge(table, prev, obs);
  if (prev === undefined) {
    if (learning) dev = { ...dev, status: 'learning' };
    else if (obs.dhcp === undefined) dev = { ...dev, pendingSince: obs.at }; // wait for DHCP to classify and link
  }
  draft.devices = draft.devices.set(dev);
  const due = !learning && !dev.alerted && dev.status === 'new'
    && (dev.pendingSince === null || obs.dhcp !== undefined || now - dev.pendingSince >= policy.holdMs);
  if (due) ({ findings, actions } = decide(table, draft, dev, now, policy));
  else if (dev.alerted && !learning) findings = settle(table, draft, dev, now);
  if (prev !== undefined && obs.source !== 'dns') findings = [...findings, ...withdrawMaybes(draft, prev, obs.at)];
  return { state: { ...state, devices: draft.devices, audit: draft.audit, counters }, findings, actions };
}

/** Raises alerts held for devices seen without DHCP once policy.holdMs has passed, and alerts
 *  held for evidence once policy.evidenceMs has (alertHold.ts). Pure. `table` (the fingerprint
 *  table) lets private-MAC linking tell common option lists apart. */
export function tick(state: InventoryState, now: number, policy: InventoryPolicy, table: FingerprintTable | null = null): Step {
  if (inLearning(state, now, policy)) return { state, findings: [], actions: [] };
  const held = [...state.devices.values()].filter((d) => d.pendingSince !== null && !d.alerted && now - d.pendingSince >= policy.holdMs);
  const waited = [...state.devices.values()].filter((d) => d.alertHeldUntil !== undefined && now >= d.alertHeldUntil);
  if (held.length === 0 && waited.length === 0) return { state, findings: [], actions: [] };
  const draft: Draft = { devices: state.devices, audit: state.audit };
  const findings: Finding[] = []; const actions: ActionRequest[] = [];
  for (const d of held) {
    if (d.status !== 'new') { draft.devices = draft.devices.set({ ...d, pendingSince: null }); continue; }
    const r = decide(table, draft, draft.devices.get(d.mac) ?? d, now, policy);
    findings.push(...r.findings); actions.push(...r.actions);
  }
  for (const d of waited) findings.push(...settle(table, draft, draft.devices.get(d.mac) ?? d, now));
  return { state: { ...state, devices: draft.devices, audit: draft.audit }, findings, actions };
}
