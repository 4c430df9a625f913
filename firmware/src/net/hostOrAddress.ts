// Peer names as config and the box's own files write them: an address (a zone id and
// brackets allowed around it) or a DNS host name. Config (protect.ntpServers) and the blocklist's
// self-protection (blocklist/peers.ts) read them the same way.
import { addressFamily, canonicalAddress } from './ip.js';

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

/** The host an HTTP Host header names ("[::1]:8080" → "::1", "Box.LAN:80" → "box.lan"): an
 *  address literal in net/ip's canonical text ("[0:0::1]" → "::1"), a name in lower case; ''
 *  for anything else (unbalanced brackets, a port that is not a number). An unbracketed IPv6
 *  literal without a port is read as that address. */
export function hostOfHostHeader(header: string | undefined): string {
  if (!header) return '';
  const h = header.trim().toLowerCase();
  const bracketed = /^\[([^\]]*)\](?::(\d{1,5}))?$/.exec(h);
  if (bracketed) return canonicalAddress(bracketed[1] ?? '') ?? '';
  if (h.startsWith('[')) return '';
  const literal = canonicalAddress(h);
  if (literal) return literal;
  const named = /^([^:]*)(?::(\d{1,5}))?$/.exec(h);
  if (!named) return '';
  const host = named[1] ?? '';
  return canonicalAddress(host) ?? host;
}

/** `host:port` for a URL or a log line, with the brackets an IPv6 literal needs ("[2001:db8::1]:443"). */
export function hostPort(host: string, port: number): string {
  return addressFamily(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `host` as a URL's authority without a port: an IPv6 literal in brackets. */
export function urlHost(host: string): string {
  return addressFamily(host) === 6 ? `[${host}]` : host;
}
