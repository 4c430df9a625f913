// Ending live connections when an address is listed. The ruleset accepts established and
// related packets first (the fast path): only a connection's first packet meets the
// blocklist and the quarantine. What keeps that shortcut safe is this: whenever the lists
// change (a feed refresh, a manual block, a quarantine, any full apply), the connections
// that are open now are listed once (`conntrack -L`), matched in userspace against the
// policy, and those to or from a listed address, or from a quarantined device's addresses,
// are deleted (`conntrack -D -s/-d ADDR`). The next packet of such a connection is a new
// one to conntrack, meets the blocklist, and is dropped (and logged, so the office is told).
import { formatAddress, parseAddress, parseEntry, type Address, type IpRange } from '../net/ip.js';
import { normalizeIp } from '../net/ipText.js';
import type { SetElem } from '../nft/json.js';
import type { Policy } from '../nft/policy.js';
import { parseConntrackLine } from '../traffic/conntrackList.js';

/** Pure: the distinct addresses (orig source and destination) of a
 *  `conntrack -L -o extended,id,ktimestamp` listing (the long-connection poller's reader). */
export function connectionPeers(listing: string): string[] {
  const out = new Set<string>();
  for (const line of listing.split('\n')) {
    if (!line) continue;
    const rec = parseConntrackLine(line, 0);
    for (const k of ['orig.ip.saddr.str', 'orig.ip.daddr.str']) {
      const ip = rec ? normalizeIp(String(rec[k])) : undefined;
      if (ip) out.add(ip.ip);
    }
  }
  return [...out];
}

const plain = (e: SetElem): Exclude<SetElem, { elem: unknown }> => (typeof e === 'object' && 'elem' in e ? e.elem.val : e);

function elemRange(e: SetElem): IpRange | undefined {
  const v = plain(e);
  try {
    if (typeof v === 'string') return parseEntry(v);
    if ('prefix' in v) return parseEntry(`${v.prefix.addr}/${v.prefix.len}`);
    return parseEntry(`${v.range[0]}-${v.range[1]}`);
  } catch {
    return undefined; // the renderer only holds elements our parser wrote: cannot happen
  }
}

/** Pure: which of `peers` a dropping group of `policy` lists and the allowlist does not
 *  protect (either direction: a listed peer kills the connection both ways in the ruleset). */
export function listedPeers(policy: Policy, peers: readonly string[]): string[] {
  const parsed: Address[] = [];
  for (const p of peers) {
    try {
      parsed.push(parseAddress(p));
    } catch {
      continue;
    }
  }
  if (!parsed.length) return [];
  const text = new Map(parsed.map((a) => [formatAddress(a.family, a.value), a]));
  const hit = new Set<Address>();
  const inRange = (r: IpRange, into: Set<Address>): void => {
    for (const a of parsed) if (a.family === r.family && a.value >= r.first && a.value <= r.last) into.add(a);
  };
  for (const g of policy.blocklists) {
    if (g.action !== 'drop') continue;
    for (const fe of [g.v4, g.v6]) {
      for (const e of fe.single) {
        const v = plain(e);
        const a = typeof v === 'string' ? text.get(v) : undefined;
        if (a) hit.add(a);
      }
      for (const e of fe.net) {
        const r = elemRange(e);
        if (r) inRange(r, hit);
      }
    }
  }
  const allowed = new Set<Address>();
  for (const e of [...policy.allow.v4, ...policy.allow.v6]) {
    const r = elemRange(e);
    if (r) inRange(r, allowed);
  }
  return [...hit].filter((a) => !allowed.has(a)).map((a) => formatAddress(a.family, a.value));
}

/** Pure: the addresses the kernel has seen for the quarantined MACs. */
export function quarantinedAddresses(quarantine: readonly string[], sightings: readonly { mac: string; ipv4?: string | undefined; ipv6?: string | undefined }[]): string[] {
  const q = new Set(quarantine);
  const out = new Set<string>();
  for (const s of sightings) {
    if (!q.has(s.mac)) continue;
    if (s.ipv4) out.add(s.ipv4);
    if (s.ipv6) out.add(s.ipv6);
  }
  return [...out];
}
