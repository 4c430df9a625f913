// Peer names as config and the box's own files write them: an address (a zone id and
// brackets allowed around it) or a DNS host name. Config (protect.ntpServers) and the blocklist's
// self-protection (blocklist/peers.ts) read them the same way.
import { formatAddress, isValidAddress, parseAddress } from './ip.js';

/** Normalised address text, or null for anything that is not a plain address (zone ids cut). */
export function normaliseAddress(text: string): string | null {
  const t = text.trim().replace(/%.*$/, '').replace(/^\[(.*)\]$/, '$1');
  if (!isValidAddress(t)) return null;
  const a = parseAddress(t);
  return formatAddress(a.family, a.value);
}

/** A DNS host name (letters, digits, hyphens, dots) or an address. */
export function isHostOrAddress(s: string): boolean {
  if (normaliseAddress(s)) return true;
  return s.length <= 253 && /^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/.test(s);
}
