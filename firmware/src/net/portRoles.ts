// Pure: which port faces the internet router and which face the office, worked out from what
// each port has SEEN, never from port names. Evidence kinds:
//   gateway      the default gateway's MAC is learned on the port (bridge FDB, or the
//                neighbour entry's device in router mode)
//   router       an IPv6 router (the kernel marks neighbours that sent router advertisements)
//                sits behind the port
//   dhcp-server  a DHCP server's reply (UDP 67 → 68, not from the box) arrived on the port
//   dhcp-client  an office device's DHCP discover/request (UDP 68 → 67) arrived on the port
// The first three say "upstream is here". Roles are proven when exactly one port shows
// upstream evidence and it agrees with the configured WAN port (when one is configured);
// every other port is then the office side. Until then the plan stays conservative.

export type EvidenceKind = 'gateway' | 'router' | 'dhcp-server' | 'dhcp-client';

/** One thing seen on one port. `at`: ms; `from`: the sender's MAC when known. */
export interface PortSighting {
  port: string;
  kind: EvidenceKind;
  at: number;
  from?: string | undefined;
}

/** A candidate Ethernet port as the kernel reports it now. */
export interface PortState {
  name: string;
  /** Link up (cable in, peer alive). */
  carrier: boolean;
  /** When the carrier last changed (ms; 0: unknown). Evidence older than this is ignored. */
  changedAt: number;
}

export interface PortEvidence {
  ports: PortState[];
  sightings: PortSighting[];
  now: number;
  /** The WAN port of the last proven plan and when it was proven. Evidence that merely goes
   *  quiet (a bridge FDB entry ageing out over a quiet night) does not unprove it; a link
   *  change on that port since then, or any upstream evidence elsewhere, does. */
  remembered?: { wan: string; at: number } | undefined;
}

/** Ports the configuration names (both optional). */
export interface PortClaim {
  wan?: string | undefined;
  lan?: readonly string[] | undefined;
}

export type PortProblem =
  | { code: 'missing'; port: string; role: 'wan' | 'lan' }
  | { code: 'contradicts'; port: string; role: 'wan' | 'lan'; seenWan: string }
  | { code: 'two-upstreams'; ports: string[] }
  | { code: 'no-evidence' }
  | { code: 'no-ports' };

export interface PortRoles {
  /** True when the evidence agrees: exactly one upstream port, matching the claim. */
  proven: boolean;
  /** The WAN port to use for forwarding: evidence, else the claim, else the first port. */
  wan: string | null;
  /** Office-side ports to use for forwarding (never the WAN). */
  lan: string[];
  /** Office-side ports the box may serve and answer on (DHCP, DNS, page): `lan` when proven, else none. */
  served: string[];
  /** How the WAN was chosen. */
  wanBy: 'evidence' | 'remembered' | 'config' | 'first-port' | 'none';
  /** Evidence kinds seen per port (fresh ones only), for status and the README's rules. */
  seen: Record<string, EvidenceKind[]>;
  problems: PortProblem[];
}

/** Default: DHCP sightings older than this no longer count (the FDB and neighbour reads are live). */
export const EVIDENCE_TTL_MS = 30 * 60_000;

const UPSTREAM: ReadonlySet<EvidenceKind> = new Set(['gateway', 'router', 'dhcp-server']);

/** Works out port roles from evidence and the (optional) claim. Throws nothing. */
export function workOutPorts(ev: PortEvidence, claim: PortClaim = {}, ttlMs = EVIDENCE_TTL_MS): PortRoles {
  const names = ev.ports.map((p) => p.name);
  const byName = new Map(ev.ports.map((p) => [p.name, p]));
  const problems: PortProblem[] = [];
  const seen: Record<string, EvidenceKind[]> = {};
  for (const s of ev.sightings) {
    const p = byName.get(s.port);
    if (!p || !p.carrier || s.at < p.changedAt || ev.now - s.at > ttlMs) continue;
    const kinds = (seen[s.port] ??= []);
    if (!kinds.includes(s.kind)) kinds.push(s.kind);
  }
  for (const k of Object.values(seen)) k.sort();

  if (claim.wan !== undefined && !byName.has(claim.wan)) problems.push({ code: 'missing', port: claim.wan, role: 'wan' });
  for (const l of claim.lan ?? []) if (!byName.has(l)) problems.push({ code: 'missing', port: l, role: 'lan' });
  if (!names.length) return { proven: false, wan: null, lan: [], served: [], wanBy: 'none', seen, problems: [...problems, { code: 'no-ports' }] };

  const upstream = names.filter((n) => (seen[n] ?? []).some((k) => UPSTREAM.has(k)));
  const claimedWan = claim.wan !== undefined && byName.has(claim.wan) ? claim.wan : undefined;
  let evidenceWan: string | undefined;
  let byMemory = false;
  if (upstream.length > 1) problems.push({ code: 'two-upstreams', ports: upstream });
  else if (upstream.length === 1) evidenceWan = upstream[0];
  else if (stillValid(ev)) {
    evidenceWan = ev.remembered.wan;
    byMemory = true;
  }
  else problems.push({ code: 'no-evidence' });

  let contradicted = false;
  if (evidenceWan !== undefined && claimedWan !== undefined && evidenceWan !== claimedWan) {
    problems.push({ code: 'contradicts', port: claimedWan, role: 'wan', seenWan: evidenceWan });
    contradicted = true;
  }
  if (evidenceWan !== undefined && claim.lan?.includes(evidenceWan)) {
    problems.push({ code: 'contradicts', port: evidenceWan, role: 'lan', seenWan: evidenceWan });
    contradicted = true;
  }

  const wan = evidenceWan ?? claimedWan ?? names[0] ?? null;
  const wanBy: PortRoles['wanBy'] = evidenceWan !== undefined ? (byMemory ? 'remembered' : 'evidence') : claimedWan !== undefined ? 'config' : 'first-port';
  // The office side: the configured LAN ports that exist, unless the evidence shows the
  // cables swapped; then every port that is not the upstream one.
  const claimedLan = (claim.lan ?? []).filter((l) => byName.has(l) && l !== wan);
  const lan = claim.lan !== undefined && !contradicted && claimedLan.length ? claimedLan : names.filter((n) => n !== wan);
  // Another upstream-looking port is never served, proven or not.
  const proven = evidenceWan !== undefined && !contradicted && upstream.length <= 1;
  const served = proven ? lan.filter((n) => !upstream.includes(n)) : [];
  return { proven, wan, lan, served, wanBy, seen, problems };
}

/** A remembered WAN still counts while its port is up and unchanged since it was proven. */
function stillValid(ev: PortEvidence): ev is PortEvidence & { remembered: { wan: string; at: number } } {
  const r = ev.remembered;
  const p = r && ev.ports.find((x) => x.name === r.wan);
  return !!r && !!p && p.carrier && p.changedAt <= r.at;
}

/** Plain-words summary of the problems for a condition's detail (technician-facing, English). */
export function describePortProblems(r: PortRoles): string {
  const parts = r.problems.map((p) => {
    switch (p.code) {
      case 'missing': return `configured ${p.role.toUpperCase()} port ${p.port} does not exist`;
      case 'contradicts': return p.role === 'wan'
        ? `configured WAN port ${p.port} shows no router, but port ${p.seenWan} does`
        : `configured LAN port ${p.port} is where the router is seen`;
      case 'two-upstreams': return `a router or DHCP server is seen on more than one port (${p.ports.join(', ')})`;
      case 'no-evidence': return 'no router, gateway or DHCP server seen on any port yet';
      case 'no-ports': return 'no Ethernet ports found';
    }
  });
  const how = r.wanBy === 'remembered' ? 'seen before, link unchanged since' : `seen: ${(r.seen[r.wan ?? ''] ?? []).join(', ')}`;
  const head = r.proven ? `WAN ${r.wan ?? '-'} (${how}), office ${r.served.join(', ') || '-'}` : 'ports not yet worked out';
  return [head, ...parts].join('; ');
}
