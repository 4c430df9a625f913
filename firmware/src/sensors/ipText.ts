// Strict validation and normalisation of textual IP and MAC addresses from sensors.
// Returns undefined for anything that is not exactly an address: no hostnames, no
// zone ids, no prefixes, no leading-zero octets (which some tools read as octal).

const IPV4_OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Normalised dotted quad, or undefined when `s` is not a plain IPv4 address. */
export function normalizeIpv4(s: string): string | undefined {
  if (s.length > 15) return undefined;
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  for (const p of parts) if (!IPV4_OCTET.test(p)) return undefined;
  return s;
}

function ipv4ToGroups(s: string): [number, number] | undefined {
  const v4 = normalizeIpv4(s);
  if (v4 === undefined) return undefined;
  const o = v4.split('.').map(Number) as [number, number, number, number];
  return [(o[0] << 8) | o[1], (o[2] << 8) | o[3]];
}

function parseGroups(side: string): number[] | undefined {
  if (side === '') return [];
  const out: number[] = [];
  const parts = side.split(':');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    if (i === parts.length - 1 && p.includes('.')) {
      const g = ipv4ToGroups(p);
      if (g === undefined) return undefined;
      out.push(g[0], g[1]);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
      out.push(parseInt(p, 16));
    }
  }
  return out;
}

/** RFC 5952 text of an IPv6 address, or undefined when `s` is not a plain IPv6 address. */
export function normalizeIpv6(s: string): string | undefined {
  if (s.length < 2 || s.length > 45) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0] as string);
    const tail = parseGroups(halves[1] as string);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseGroups(s);
    if (!all || all.length !== 8) return undefined;
    groups = all;
  }
  // Longest run of zero groups (length >= 2, first one wins) becomes "::".
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Normalised address and its family, or undefined. */
export function normalizeIp(s: string): { ip: string; family: 4 | 6 } | undefined {
  const v4 = normalizeIpv4(s);
  if (v4 !== undefined) return { ip: v4, family: 4 };
  const v6 = normalizeIpv6(s);
  if (v6 !== undefined) return { ip: v6, family: 6 };
  return undefined;
}

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** Lower-case aa:bb:cc:dd:ee:ff, or undefined. */
export function normalizeMac(s: string): string | undefined {
  return MAC.test(s) ? s.toLowerCase() : undefined;
}
