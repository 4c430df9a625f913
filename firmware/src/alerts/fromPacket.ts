// Pure: a logged packet from one of our blocklist rules becomes a Finding. The NFLOG prefix
// names the reason: `<logPrefix>:<drop|watch>:<out|in>:<group>` (see nft/policy.ts).
import type { Finding } from './types.js';

/** The fields of a logged packet this module reads (sensors/events.ts PacketLogEvent). */
export interface PacketHit {
  at: number;
  prefix: string;
  srcIp: string;
  dstIp: string;
  proto: string | number;
  srcPort?: number | undefined;
  dstPort?: number | undefined;
  srcMac?: string | undefined;
}

export interface GroupInfo {
  /** Feed category key (e.g. "c2", "malware"); undefined for the local list. */
  category?: string | undefined;
  name?: string | undefined;
}

export interface ParsedPrefix {
  action: 'drop' | 'watch';
  dir: 'out' | 'in';
  group: string;
}

/** Reads one of our log prefixes; null for anything else. */
export function parseLogPrefix(prefix: string, logPrefix: string): ParsedPrefix | null {
  const [, name, action, dir, group] = /^([a-z]{1,8}):(drop|watch):(out|in):([a-z0-9_]{1,32})$/.exec(prefix.trim()) ?? [];
  if (name !== logPrefix || (action !== 'drop' && action !== 'watch') || (dir !== 'out' && dir !== 'in') || group === undefined) return null;
  return { action, dir, group };
}

/** The finding for a blocklist hit, or null when the packet is not one. */
export function blocklistFinding(p: PacketHit, logPrefix: string, info: (group: string) => GroupInfo | undefined): Finding | null {
  const pp = parseLogPrefix(p.prefix, logPrefix);
  if (!pp) return null;
  const out = pp.dir === 'out';
  const deviceIp = out ? p.srcIp : p.dstIp;
  const remote = out ? { ip: p.dstIp, port: p.dstPort } : { ip: p.srcIp, port: p.srcPort };
  const g = info(pp.group);
  return {
    kind: 'blocklist_hit',
    severity: out ? 'danger' : 'warning',
    dedupKey: `${pp.group}|${pp.dir}|${deviceIp}|${remote.ip}`,
    at: p.at,
    device: { ip: deviceIp, mac: out ? p.srcMac : undefined },
    remote,
    direction: out ? 'outbound' : 'inbound',
    action: pp.action === 'drop' ? 'blocked' : 'watched',
    count: 1,
    params: {
      deviceIp, remoteIp: remote.ip, remotePort: remote.port, direction: out ? 'outbound' : 'inbound',
      action: pp.action === 'drop' ? 'blocked' : 'watched', category: g?.category, list: g?.name ?? pp.group,
    },
    evidence: { group: pp.group, proto: p.proto, prefix: p.prefix, lastPort: remote.port },
  };
}
