// A small prefix matcher for the office's LAN ranges, mutes and allowlist entries. Prefixes
// are read by the one strict parser (net/ip.ts); `has` takes a fast path for IPv4 text (it runs
// for both addresses of every flow record) that accepts exactly what parseAddress accepts
// (property-tested against it) and falls back to the strict parser for IPv6.
import { hostMask, IpParseError, parseAddress, parseCidr } from './ip.js';
import { ipv4Number } from './ipText.js';

export class CidrError extends Error {
  override name = 'CidrError';
}

interface V4 { net: number; mask: number }
interface V6 { net: bigint; mask: bigint }

function ipv6Value(ip: string): bigint | undefined {
  try {
    const a = parseAddress(ip);
    return a.family === 6 ? a.value : undefined;
  } catch (e) {
    if (e instanceof IpParseError) return undefined;
    throw e;
  }
}

/** A set of prefixes; `has(ip)` is true when the address lies in one of them. */
export class CidrSet {
  private readonly v4: V4[] = [];
  private readonly v6: V6[] = [];

  /** Accepts "a.b.c.d/len", "x::y/len" (host bits are masked) or a single address; throws CidrError otherwise. */
  constructor(prefixes: readonly string[]) {
    for (const p of prefixes) {
      let c;
      try {
        c = parseCidr(p, { allowHostBits: true });
      } catch (e) {
        if (e instanceof IpParseError) throw new CidrError(`bad prefix: ${p.slice(0, 60)} (${e.reason})`, { cause: e });
        throw e;
      }
      if (c.family === 4) {
        const mask = Number(0xffffffffn ^ hostMask(4, c.prefixLen));
        this.v4.push({ net: Number(c.first), mask });
      } else {
        this.v6.push({ net: c.first, mask: ((1n << 128n) - 1n) ^ hostMask(6, c.prefixLen) });
      }
    }
  }

  get size(): number { return this.v4.length + this.v6.length; }

  /** True when `ip` is inside one of the prefixes; false for text that is not one strict address. */
  has(ip: string): boolean {
    const n4 = ipv4Number(ip);
    if (n4 !== undefined) {
      for (const c of this.v4) if (((n4 & c.mask) >>> 0) === c.net) return true;
      return false;
    }
    if (this.v6.length === 0) return false;
    const n = ipv6Value(ip);
    if (n === undefined) return false;
    for (const c of this.v6) if ((n & c.mask) === c.net) return true;
    return false;
  }
}

/** Predicate for parseFlow built from the office's LAN prefixes. */
export function makeIsLan(prefixes: readonly string[]): (ip: string) => boolean {
  const set = new CidrSet(prefixes);
  return (ip) => set.has(ip);
}
