// Pure device classification: combines the fingerprint match (whole option-55 list, option 60,
// registered vendor), what contradicts it (a vendor class the OS never sends, a missing one it
// always sends, a printer or network-gear maker's MAC, a hostname of another kind), the DHCP
// hostname and the randomised-MAC flag into what staff need to know — what kind of device this
// is, whether its operating system is past end of support, and whether it is likely someone's
// personal smartphone — and keeps the evidence that decided it.
import type { DeviceType, FingerprintEntry, FingerprintMatch, FingerprintTable, OsFamily } from './fingerprints.js';

export interface ClassifyInput {
  match: FingerprintMatch | null;
  hostname: string | null;
  vendor: string | null;
  randomised: boolean;
  vendorClass: string | null;
  /** ids of rules' dnsHints this device looked up (connectivity checks, update services) */
  dnsHints?: readonly string[] | undefined;
}

export type PhoneReason = 'randomised_mac' | 'phone_fingerprint' | 'phone_hostname' | 'phone_vendor';

export interface Classification {
  osFamily: OsFamily;
  osName: string;
  deviceType: DeviceType;
  confidence: number; // 0..1
  eol: boolean;
  likelyPersonalPhone: boolean;
  reasons: PhoneReason[];
  fingerprintId: string | null;
  /** what decided it, short tokens (entry ids and signal names, never device-supplied text) */
  evidence: string[];
}

/** Confidence gates, measured over the public labelled set (README "Device classification").
 *  Below `known` the device is 「種類の分からない機器」: no OS, no type, no EOL, no phone. */
export const CONFIDENCE = { known: 0.5, eol: 0.6, phone: 0.6 } as const;

const APPLE: ReadonlySet<OsFamily> = new Set(['apple', 'ios', 'macos']);
const WEIGHT: Record<PhoneReason, number> = { randomised_mac: 1, phone_fingerprint: 2, phone_hostname: 2, phone_vendor: 1 };
const APPLE_NAME = 'macOS or iOS / iPadOS';
const FAMILY_NAME: Partial<Record<OsFamily, string>> = { windows: 'Windows', apple: APPLE_NAME, android: 'Android', linux: 'Linux' };
const PC_LIKE: ReadonlySet<DeviceType> = new Set(['pc', 'phone', 'tablet']);

/** Android's vendor class "android-dhcp-13" names its release. */
function androidRelease(vendorClass: string | null): string | null {
  if (vendorClass === null) return null;
  return /^android-dhcp-([0-9]{1,2}(?:\.[0-9]{1,2}){0,2})$/.exec(vendorClass)?.[1] ?? null;
}

function sameFamily(a: OsFamily, b: OsFamily): boolean {
  return a === b || (APPLE.has(a) && APPLE.has(b));
}

interface Base { osFamily: OsFamily; osName: string; deviceType: DeviceType; eol: boolean; confidence: number }

/** What the fingerprint says, reduced to what every tied entry agrees on. */
function fromMatch(m: FingerprintMatch, evidence: string[]): Base {
  const e = m.entry;
  const b: Base = { osFamily: e.osFamily, osName: e.osName, deviceType: e.deviceType, eol: e.eol, confidence: m.score };
  evidence.push(`fp:${e.id}`, ...m.signals);
  if (m.tiedWith.length === 0) return b;
  evidence.push(`tie:${m.tiedWith.map((x) => x.id).join('+')}`.slice(0, 48));
  const all: FingerprintEntry[] = [e, ...m.tiedWith];
  if (all.some((x) => !sameFamily(x.osFamily, e.osFamily))) { b.osFamily = 'unknown'; b.osName = ''; }
  else if (all.some((x) => x.osFamily !== e.osFamily)) { b.osFamily = 'apple'; b.osName = APPLE_NAME; }
  else if (all.some((x) => x.osName !== e.osName)) b.osName = FAMILY_NAME[e.osFamily] ?? '';
  if (all.some((x) => x.deviceType !== e.deviceType)) b.deviceType = 'unknown';
  if (all.some((x) => x.eol !== e.eol)) b.eol = false;
  if (b.osFamily === 'unknown') b.confidence = Math.min(b.confidence, CONFIDENCE.known - 0.01);
  return b;
}

/** Signals that speak against the matched entry; each costs confidence and is recorded. */
function contradictions(table: FingerprintTable, e: FingerprintEntry, input: ClassifyInput, evidence: string[]): number {
  let cost = 0;
  const vc = input.vendorClass;
  if (vc !== null && table.vendorClassRules.some((r) => vc.startsWith(r.prefix) && r.rulesOut.includes(e.osFamily))) {
    cost += 0.3; evidence.push('vendor_class_contradicts');
  } else if (vc !== null && e.vendorClassOnly !== undefined && !e.vendorClassOnly.some((prefix) => vc.startsWith(prefix))) {
    cost += 0.3; evidence.push('vendor_class_other'); // e.g. "mfg=Xerox" with Windows XP's list
  }
  if (vc === null && e.sendsVendorClass === true) { cost += 0.2; evidence.push('vendor_class_missing'); }
  const vendor = input.vendor;
  if (vendor !== null && PC_LIKE.has(e.deviceType) && table.applianceVendors.some((re) => re.test(vendor))) {
    cost += 0.45; evidence.push('oui_appliance'); // hardware outweighs a software list
  }
  return cost;
}

/** Classifies one device from plain data. Pure; never throws. */
export function classify(table: FingerprintTable, input: ClassifyInput): Classification {
  const m = input.match;
  const evidence: string[] = [];
  const b: Base = m ? fromMatch(m, evidence) : { osFamily: 'unknown', osName: '', deviceType: 'unknown', eol: false, confidence: 0 };
  if (m) b.confidence = Math.max(0, b.confidence - contradictions(table, m.entry, input, evidence));
  let { osFamily, osName, deviceType, confidence } = b;

  const hostname = input.hostname;
  const hint = hostname === null ? undefined : table.hints.find((h) => h.re.test(hostname));
  if (hint) {
    const handheld = (x: DeviceType): boolean => x === 'phone' || x === 'tablet';
    const agrees = sameFamily(osFamily, hint.osFamily) && (hint.deviceType === deviceType || deviceType === 'unknown' || osFamily === 'apple' || (handheld(hint.deviceType) && handheld(deviceType)));
    if (osFamily === 'unknown' || agrees) {
      // The hostname refines an ambiguous fingerprint (Apple: Mac or iPhone?) or stands alone.
      if (osFamily === 'unknown' || osFamily === 'apple') osFamily = hint.osFamily;
      deviceType = hint.deviceType;
      confidence = Math.min(1, confidence + (m ? 0.2 : 0.35));
      if (osName === '' || m?.entry.osFamily === 'apple') osName = hint.osFamily === 'ios' ? 'iOS / iPadOS' : hint.osFamily === 'macos' ? 'macOS' : FAMILY_NAME[hint.osFamily] ?? osName;
      evidence.push(`hostname:${hint.id}`);
    } else {
      // Hostname and fingerprint disagree: anyone can name a PC "iPhone". Trust less.
      confidence = Math.max(0, confidence - 0.15);
      evidence.push(`hostname_contradicts:${hint.id}`);
    }
  }
  // Names the device looked up by itself: they refine or doubt a verdict, never make one alone.
  let dnsRelease: string | null = null;
  let dnsAgreed = false;
  for (const id of input.dnsHints ?? []) {
    const h = table.dnsHints.find((x) => x.id === id);
    if (h === undefined || osFamily === 'unknown') continue;
    if (sameFamily(osFamily, h.osFamily) && (h.deviceType === undefined || h.deviceType === deviceType)) {
      if (!dnsAgreed) confidence = Math.min(1, confidence + 0.1);
      dnsAgreed = true;
      evidence.push(`dns:${h.id}`);
      if (h.currentRelease) dnsRelease = h.currentRelease.osName;
    } else {
      // A name only one kind of hardware looks up (a console's connection test) weighs like its maker's MAC.
      confidence = Math.max(0, confidence - (h.deviceType === undefined ? 0.3 : 0.45));
      evidence.push(`dns_contradicts:${h.id}`);
    }
  }
  const release = osFamily === 'android' ? androidRelease(input.vendorClass) : null;
  if (release !== null) osName = `Android ${release}`;

  const reasons: PhoneReason[] = [];
  if (input.randomised) reasons.push('randomised_mac');
  const phoneFp = m !== null && (m.entry.deviceType === 'phone' || m.entry.deviceType === 'tablet') && deviceType === m.entry.deviceType;
  if (phoneFp) reasons.push('phone_fingerprint');
  if (hint && evidence.includes(`hostname:${hint.id}`) && (hint.deviceType === 'phone' || hint.deviceType === 'tablet')) reasons.push('phone_hostname');
  const pcFp = m !== null && (m.entry.deviceType === 'pc' || m.entry.deviceType === 'printer' || m.entry.deviceType === 'nas') && deviceType !== 'phone' && deviceType !== 'tablet';
  const vendor = input.vendor;
  if (!pcFp && vendor !== null && table.phoneVendors.some((re) => re.test(vendor))) reasons.push('phone_vendor');
  const weight = reasons.reduce((n, r) => n + WEIGHT[r], 0);
  let likelyPersonalPhone = !pcFp && (phoneFp || reasons.includes('phone_hostname')) && weight >= 3;
  confidence = Math.round(confidence * 100) / 100;
  if (likelyPersonalPhone && confidence >= CONFIDENCE.known && confidence < CONFIDENCE.phone) { likelyPersonalPhone = false; evidence.push(`phone_below:${CONFIDENCE.phone}`); }
  if (likelyPersonalPhone && deviceType === 'unknown') deviceType = 'phone';

  // An end-of-life verdict needs the whole option-55 list of that release: a vendor class
  // ("MSFT 5.0") or a reordered list says Windows, not which Windows.
  let eol = b.eol && m !== null && m.signals.includes('prl_exact') && sameFamily(osFamily, b.osFamily) && deviceType === b.deviceType;
  // Windows 10 and 11 may send the Vista/7 list; their default name (DESKTOP-XXXXXXX) says which.
  if (hint?.currentRelease && evidence.includes(`hostname:${hint.id}`)) {
    if (eol) evidence.push('eol_overruled');
    eol = false; osName = hint.currentRelease.osName;
  }
  // Only Windows 10 and later look up the newer connectivity check (msftconnecttest.com).
  if (dnsRelease !== null) {
    if (eol) evidence.push('eol_overruled');
    eol = false; osName = dnsRelease;
  }
  if (confidence < CONFIDENCE.known) {
    // Not enough evidence: say so, never "an old PC" or "a phone".
    if (m !== null || hint !== undefined) evidence.push(`below:${CONFIDENCE.known}`);
    osFamily = 'unknown'; osName = ''; deviceType = 'unknown'; eol = false; likelyPersonalPhone = false;
  }
  if (eol && confidence < CONFIDENCE.eol) { eol = false; evidence.push(`eol_below:${CONFIDENCE.eol}`); }

  return { osFamily, osName, deviceType, confidence, eol, likelyPersonalPhone, reasons, fingerprintId: m?.entry.id ?? null, evidence: evidence.slice(0, 8) };
}
