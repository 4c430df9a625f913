// Address text from sensors → normalised form with the rules of the product's strict IP
// library (firmware/src/net/ip.ts), but fast enough for the per-datagram path (no BigInt,
// no exceptions); property tests hold the fast paths equal to net/ip. Plus MAC text.
import { formatV6Groups, longestZeroRun, type Family } from './ip.js';

/** An IPv4 address number (as ipv4Number returns it) as dotted decimal text. */
export function ipv4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * Fast path for the common case, same rules as net/ip: four decimal octets 0..255 without
 * leading zeros ("010" is octal to some tools, decimal to others). The address as a number,
 * or undefined for anything else. No BigInt, no exceptions: it runs for every flow record.
 */
export function ipv4Number(ip: string): number | undefined {
  const len = ip.length;
  if (len < 7 || len > 15) return undefined;
  let n = 0, part = 0, digits = 0, dots = 0, lead = false;
  for (let i = 0; i < len; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      n = n * 256 + part; part = 0; digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 0) lead = c === 48;
      else if (lead) return undefined;
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return undefined;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return (n * 256 + part) >>> 0;
}

/** True only for text that is already the normal form of an IPv4 address. */
export function isCanonicalIpv4(s: string): boolean {
  return ipv4Number(s) !== undefined;
}

const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function v6Groups(side: string, out: number[]): boolean {
  if (side === '') return true;
  const parts = side.split(':');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] ?? ''; // i < length: never the fallback
    if (i === parts.length - 1 && p.includes('.')) {
      if (!isCanonicalIpv4(p)) return false;
      const [a = 0, b = 0, c = 0, d = 0] = p.split('.').map(Number); // four octets: checked above
      out.push(a * 256 + b, c * 256 + d);
    } else {
      if (!HEX_GROUP.test(p)) return false;
      out.push(parseInt(p, 16));
    }
  }
  return true;
}

/**
 * IPv6 text → RFC 5952 without BigInt (net/ip's parser costs ~5-10 µs per address, too much
 * per datagram). Same rules as net/ip: no zone ids, dotted tail only last, mapped IPv4
 * (::ffff:0:0/96) refused. A property test checks it against net/ip.
 */
export function normalizeIpv6(s: string): string | undefined {
  const groups = ipv6Groups(s);
  return groups && formatV6Groups(groups);
}

/** The eight groups of an IPv6 address text, by the rules of normalizeIpv6; undefined otherwise. */
function ipv6Groups(s: string): number[] | undefined {
  if (s.length < 2 || s.length > 45) return undefined;
  const dbl = s.indexOf('::');
  const head: number[] = [];
  const tail: number[] = [];
  let groups: number[];
  if (dbl >= 0) {
    if (s.indexOf('::', dbl + 1) >= 0) return undefined;
    if (!v6Groups(s.slice(0, dbl), head) || !v6Groups(s.slice(dbl + 2), tail)) return undefined;
    if (s.slice(0, dbl).includes('.')) return undefined; // dotted quad only at the very end
    if (head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    if (!v6Groups(s, head) || head.length !== 8) return undefined;
    groups = head;
  }
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return undefined; // mapped
  return groups;
}

/**
 * The network an address belongs to for "widely used by the office" (detectors/popularity.ts):
 * its /24 (IPv4) or /48 (IPv6) as canonical CIDR text, e.g. "198.51.100.0/24",
 * "2001:db8:1::/48"; undefined for anything that is not one address. No BigInt (it runs per
 * flow); a property test holds it equal to net/ip's parseCidr with host bits allowed.
 */
export function networkKeyOf(ip: string): string | undefined {
  const v4 = ipv4Number(ip);
  if (v4 !== undefined) return `${v4 >>> 24}.${(v4 >>> 16) & 255}.${(v4 >>> 8) & 255}.0/24`;
  const g = ipv6Groups(ip);
  if (!g) return undefined;
  return `${formatV6Groups([g[0] ?? 0, g[1] ?? 0, g[2] ?? 0, 0, 0, 0, 0, 0])}/48`;
}

/** Normalised address and its family, or undefined when `s` is not exactly one address. */
export function normalizeIp(s: string): { ip: string; family: Family } | undefined {
  if (isCanonicalIpv4(s)) return { ip: s, family: 4 };
  if (s.includes(':')) {
    const v6 = normalizeIpv6(s);
    return v6 === undefined ? undefined : { ip: v6, family: 6 };
  }
  return undefined;
}

/**
 * 16 bytes at `off` → IPv6 text exactly as glibc's inet_ntop prints it (which is what ulogd2's
 * IP2STR puts in flow records, lower-cased by flows/parse): RFC 5952 compression of the longest
 * run of two or more zero groups (leftmost on a tie), and the dotted tail for IPv4-mapped
 * (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses. Reads past the end as 0; never throws.
 */
export function ipv6FromBytes(b: Uint8Array, off: number): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((b[off + i] ?? 0) << 8) | (b[off + i + 1] ?? 0));
  const run = longestZeroRun(g);
  const dotted = (): string => `${b[off + 12] ?? 0}.${b[off + 13] ?? 0}.${b[off + 14] ?? 0}.${b[off + 15] ?? 0}`;
  if (run.at === 0 && (run.len === 6 || (run.len === 5 && g[5] === 0xffff))) {
    return run.len === 6 ? `::${dotted()}` : `::ffff:${dotted()}`;
  }
  return formatV6Groups(g);
}
