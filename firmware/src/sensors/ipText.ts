// Address text from sensors → normalised form, via the product's strict IP library
// (firmware/src/net/ip.ts), without exceptions on the per-datagram path; plus MAC text.
import { formatAddress, IpParseError, parseAddress, type Family } from '../net/ip.js';

/** Normalised address and its family, or undefined when `s` is not exactly one address. */
export function normalizeIp(s: string): { ip: string; family: Family } | undefined {
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
