// Address text from sensors → normalised form, via the product's strict IP library
// (firmware/src/net/ip.ts), without exceptions on the per-datagram path; plus MAC text.
import { formatAddress, IpParseError, parseAddress, type Family } from '../net/ip.js';

/**
 * Fast path for the common case, same rules as net/ip: four decimal octets 0..255 without
 * leading zeros. True only for text that is already the normal form of an IPv4 address.
 */
export function isCanonicalIpv4(s: string): boolean {
  const n = s.length;
  if (n < 7 || n > 15) return false;
  let dots = 0, digits = 0, value = 0, first = 0;
  for (let i = 0; i <= n; i++) {
    const c = i === n ? 46 : s.charCodeAt(i); // treat the end as a final '.'
    if (c === 46) {
      if (digits === 0 || (digits > 1 && first === 48) || value > 255) return false;
      if (i < n && ++dots > 3) return false;
      digits = 0;
      value = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 0) first = c;
      if (++digits > 3) return false;
      value = value * 10 + (c - 48);
    } else {
      return false;
    }
  }
  return dots === 3;
}

/** Normalised address and its family, or undefined when `s` is not exactly one address. */
export function normalizeIp(s: string): { ip: string; family: Family } | undefined {
  if (isCanonicalIpv4(s)) return { ip: s, family: 4 };
  try {
    const a = parseAddress(s);
    return { ip: formatAddress(a.family, a.value), family: a.family };
  } catch (err) {
    if (err instanceof IpParseError) return undefined;
    throw err;
  }
}

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** Lower-case aa:bb:cc:dd:ee:ff, or undefined. */
export function normalizeMac(s: string): string | undefined {
  return MAC.test(s) ? s.toLowerCase() : undefined;
}
