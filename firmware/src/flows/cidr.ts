// Small prefix matcher for the office's LAN ranges and for allowlist entries.
// Inputs are already-normalised address text (from parseFlow); prefixes come from rules/.

export class CidrError extends Error {}

interface V4 { net: number; mask: number }
interface V6 { net: bigint; mask: bigint }

function v4num(ip: string): number | undefined {
  // Hand-rolled (no split/regex): this runs for both addresses of every flow record.
  let n = 0, part = 0, digits = 0, dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      n = n * 256 + part; part = 0; digits = 0;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return undefined;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return (n * 256 + part) >>> 0;
}

function v6num(ip: string): bigint | undefined {
  if (!ip.includes(':')) return undefined;
  let s = ip.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted?.[1]) {
    const n = v4num(dotted[1]);
    if (n === undefined) return undefined;
    s = s.slice(0, -dotted[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...tail];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

/** A set of prefixes; `has(ip)` is true when the address lies in one of them. */
export class CidrSet {
  private readonly v4: V4[] = [];
  private readonly v6: V6[] = [];

  /** Accepts "a.b.c.d/len", "x::y/len" or a single address; throws CidrError otherwise. */
  constructor(prefixes: readonly string[]) {
    for (const p of prefixes) {
      const [addr = '', lenText] = p.split('/');
      const n4 = v4num(addr);
      if (n4 !== undefined) {
        const len = lenText === undefined ? 32 : Number(lenText);
        if (!Number.isInteger(len) || len < 0 || len > 32) throw new CidrError(`bad prefix length: ${p}`);
        const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
        this.v4.push({ net: (n4 & mask) >>> 0, mask });
        continue;
      }
      const n6 = v6num(addr);
      if (n6 === undefined) throw new CidrError(`bad prefix: ${p}`);
      const len = lenText === undefined ? 128 : Number(lenText);
      if (!Number.isInteger(len) || len < 0 || len > 128) throw new CidrError(`bad prefix length: ${p}`);
      const mask = len === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - len)) - 1n);
      this.v6.push({ net: n6 & mask, mask });
    }
  }

  get size(): number { return this.v4.length + this.v6.length; }

  /** True when `ip` is inside one of the prefixes; false for unparsable text. */
  has(ip: string): boolean {
    if (this.v4.length > 0) {
      const n = v4num(ip);
      if (n !== undefined) {
        for (const c of this.v4) if (((n & c.mask) >>> 0) === c.net) return true;
        return false;
      }
    }
    if (this.v6.length === 0) return false;
    const n = v6num(ip);
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
