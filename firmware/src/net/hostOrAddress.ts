// Peer names as config and the box's own files write them: an address (a zone id and
// brackets allowed around it) or a DNS host name. Config (protect.ntpServers) and the blocklist's
// self-protection (blocklist/peers.ts) read them the same way.
import { canonicalAddress } from './ip.js';

/** A peer's address as files and config write it (space around it, `[…]` around it, a `%zone`
 *  after it, which is cut) in net/ip's canonical text; null for a host name or anything else. */
export function peerAddress(text: string): string | null {
  return canonicalAddress(text.trim().replace(/%.*$/, '').replace(/^\[(.*)\]$/, '$1'));
}

/** A DNS host name (letters, digits, hyphens, dots) or an address. */
export function isHostOrAddress(s: string): boolean {
  if (peerAddress(s)) return true;
  return s.length <= 253 && /^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/.test(s);
}
