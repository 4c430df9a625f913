// MAC addresses: the one reader and canonical text form (lower-case aa:bb:cc:dd:ee:ff) for the
// whole box, plus the locally-administered ("randomised" Wi-Fi) and multicast bits.

const SEPARATED = /^([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})$/;
const DOTTED = /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/;
const BARE = /^[0-9a-f]{12}$/;

/** Normalises "AA-BB-CC-DD-EE-FF", "aabb.ccdd.eeff", "aabbccddeeff" or colon form to
 *  lower-case "aa:bb:cc:dd:ee:ff"; returns null for anything else. Never throws. */
export function normaliseMac(text: string): string | null {
  if (text.length > 32) return null;
  const t = text.trim().toLowerCase();
  let hex: string;
  const sep = SEPARATED.exec(t);
  if (sep) hex = sep.slice(1).map((p) => p.padStart(2, '0')).join('');
  else if (DOTTED.test(t)) hex = t.replace(/\./g, '');
  else if (BARE.test(t)) hex = t;
  else return null;
  return (hex.match(/../g) ?? []).join(':'); // 12 hex digits: six pairs
}

/** Formats 6 bytes as "aa:bb:cc:dd:ee:ff". Throws RangeError if fewer than 6 bytes. */
export function macFromBytes(b: Uint8Array, offset = 0): string {
  if (b.length < offset + 6) throw new RangeError('need 6 bytes for a MAC address');
  return Array.from(b.subarray(offset, offset + 6), (x) => x.toString(16).padStart(2, '0')).join(':');
}

function firstOctet(mac: string): number {
  return Number.parseInt(mac.slice(0, 2), 16);
}

/** True when the locally-administered bit is set: a private/randomised address (normalised MAC in). */
export function isLocallyAdministered(mac: string): boolean {
  return (firstOctet(mac) & 0x02) !== 0;
}

/** True when the group (multicast/broadcast) bit is set (normalised MAC in). */
export function isMulticast(mac: string): boolean {
  return (firstOctet(mac) & 0x01) !== 0;
}
