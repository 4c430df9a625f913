// Pure device classification: combines the fingerprint match, the DHCP hostname, the MAC
// vendor and the randomised-MAC flag into what staff need to know — what kind of device this
// is, whether its operating system is past end of support, and whether it is likely
// someone's personal smartphone (and why).
import type { DeviceType, FingerprintMatch, FingerprintTable, OsFamily } from './fingerprints.js';

export interface ClassifyInput {
  match: FingerprintMatch | null;
  hostname: string | null;
  vendor: string | null;
  randomised: boolean;
  vendorClass: string | null;
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
}

const PHONE_FAMILIES: ReadonlySet<OsFamily> = new Set(['ios', 'android']);
const WEIGHT: Record<PhoneReason, number> = { randomised_mac: 1, phone_fingerprint: 2, phone_hostname: 2, phone_vendor: 1 };

/** Android's vendor class "android-dhcp-13" names its release. */
function androidRelease(vendorClass: string | null): string | null {
  const m = vendorClass === null ? null : /^android-dhcp-([0-9]{1,2}(?:\.[0-9]{1,2}){0,2})$/.exec(vendorClass);
  return m ? m[1]! : null;
}

/** Classifies one device from plain data. Pure; never throws. */
export function classify(table: FingerprintTable, input: ClassifyInput): Classification {
  const m = input.match;
  let osFamily: OsFamily = m?.entry.osFamily ?? 'unknown';
  let osName = m?.entry.osName ?? '';
  let deviceType: DeviceType = m?.entry.deviceType ?? 'unknown';
  let confidence = m?.score ?? 0;
  const eol = m?.entry.eol ?? false;

  const hint = input.hostname === null ? undefined : table.hints.find((h) => h.re.test(input.hostname!));
  if (hint) {
    const agrees = osFamily === hint.osFamily || (osFamily === 'apple' && (hint.osFamily === 'ios' || hint.osFamily === 'macos'));
    if (osFamily === 'unknown' || agrees) {
      // The hostname refines an ambiguous fingerprint (Apple: Mac or iPhone?) or stands alone.
      if (osFamily === 'unknown' || osFamily === 'apple') { osFamily = hint.osFamily; }
      if (deviceType === 'unknown' || agrees) deviceType = hint.deviceType;
      confidence = Math.min(1, confidence + (m ? 0.2 : 0.35));
      if (osName === '' || m?.entry.osFamily === 'apple') osName = hint.osFamily === 'ios' ? 'iOS / iPadOS' : hint.osFamily === 'macos' ? 'macOS' : hint.osFamily === 'android' ? 'Android' : osName;
    } else {
      // Hostname and fingerprint disagree: anyone can name a PC "iPhone". Trust less.
      confidence = Math.max(0, confidence - 0.15);
    }
  }
  const release = osFamily === 'android' ? androidRelease(input.vendorClass) : null;
  if (release !== null) osName = `Android ${release}`;

  const reasons: PhoneReason[] = [];
  if (input.randomised) reasons.push('randomised_mac');
  const phoneFp = m !== null && PHONE_FAMILIES.has(m.entry.osFamily) && m.entry.deviceType === 'phone';
  if (phoneFp) reasons.push('phone_fingerprint');
  if (hint && (hint.deviceType === 'phone' || hint.deviceType === 'tablet')) reasons.push('phone_hostname');
  const pcFp = m !== null && (m.entry.deviceType === 'pc' || m.entry.deviceType === 'printer' || m.entry.deviceType === 'nas');
  if (!pcFp && input.vendor !== null && table.phoneVendors.some((re) => re.test(input.vendor!))) reasons.push('phone_vendor');
  const weight = reasons.reduce((n, r) => n + WEIGHT[r], 0);
  const likelyPersonalPhone = !pcFp && (phoneFp || reasons.includes('phone_hostname')) && weight >= 3;
  if (likelyPersonalPhone && deviceType === 'unknown') deviceType = 'phone';

  return { osFamily, osName, deviceType, confidence: Math.round(confidence * 100) / 100, eol, likelyPersonalPhone, reasons, fingerprintId: m?.entry.id ?? null };
}
