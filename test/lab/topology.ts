// The lab's address plan as plain data (pure): which namespace has which interface and
// address in bridge and router mode. lab.ts turns this into namespaces and links.

export type LabMode = 'bridge' | 'router';

/** An "internet" host: addresses on the wan namespace's dummy interface. */
export interface InternetHost {
  v4: string;
  v6: string;
}

/** Well-known internet hosts every lab has (documentation ranges only). */
export const INTERNET = {
  /** An allowed web server. */
  web: { v4: '192.0.2.80', v6: '2001:db8:c0::80' },
  /** A second allowed host, e.g. for feeds or NTP-like traffic. */
  feeds: { v4: '192.0.2.53', v6: '2001:db8:c0::53' },
  /** The provider's syslog collector. */
  collector: { v4: '198.51.100.10', v6: '2001:db8:51::10' },
  /** The "malware server" the demo blocklists. */
  malware: { v4: '203.0.113.66', v6: '2001:db8:66::66' },
} as const satisfies Record<string, InternetHost>;

/** Prefixes routed to the wan namespace's dummy interface (every address in them is "internet"). */
export const INTERNET_PREFIXES = {
  v4: ['192.0.2.1/24', '198.51.100.1/24', '203.0.113.1/24'],
  v6: ['2001:db8:c0::1/64', '2001:db8:51::1/64', '2001:db8:66::1/64'],
} as const;

/**
 * Whole prefixes made local to the wan namespace (AnyIP), so that any address in them is a
 * reachable "internet" host for a wildcard listener: scans, fan-out and mail-abuse tests
 * need many distinct servers.
 */
export const INTERNET_ANYIP = {
  v4: ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'],
  v6: ['2001:db8:c0::/64', '2001:db8:51::/64', '2001:db8:66::/64'],
} as const;

export interface LanHostPlan {
  /** Role suffix of the namespace, e.g. `lan1`. */
  role: string;
  /** Interface name inside the host namespace. */
  ifname: 'eth0';
  v4: string;
  v6: string;
}

export interface TopologyPlan {
  mode: LabMode;
  /** LAN prefixes (what the box config calls lan.prefixes). */
  lanPrefix: { v4: string; v6: string };
  /** Gateway that LAN hosts use: the box in router mode, the office router (wan ns) in bridge mode. */
  lanGateway: { v4: string; v6: string };
  /** The box's address reachable from the LAN (UI): br0 in bridge mode, eth1 in router mode. */
  boxLan: { v4: string; v6: string };
  /** The box's WAN-side address in router mode (bridge mode: same as boxLan, on br0). */
  boxWan: { v4: string; v6: string };
  /** The wan namespace's address on its link to the box. */
  wanLink: { v4: string; v6: string; prefixLen4: number; prefixLen6: number };
  lanHosts: LanHostPlan[];
}

/** The plan of the i-th LAN host (0-based, 0–149): `lan{i+1}`, 192.168.77.(101+i), 2001:db8:77::(101+i hex); throws RangeError. */
export function lanHostPlan(i: number): LanHostPlan {
  if (!Number.isInteger(i) || i < 0 || i > 149) throw new RangeError(`LAN host index must be 0..149, got ${i}`);
  return { role: `lan${i + 1}`, ifname: 'eth0', v4: `192.168.77.${101 + i}`, v6: `2001:db8:77::${(0x101 + i).toString(16)}` };
}

/** The address plan for a mode and number of LAN hosts (1–100); throws RangeError otherwise. */
export function planTopology(mode: LabMode, lanHosts: number): TopologyPlan {
  if (!Number.isInteger(lanHosts) || lanHosts < 1 || lanHosts > 100) throw new RangeError(`lanHosts must be 1..100, got ${lanHosts}`);
  const hosts: LanHostPlan[] = Array.from({ length: lanHosts }, (_, i) => lanHostPlan(i));
  const lanPrefix = { v4: '192.168.77.0/24', v6: '2001:db8:77::/64' };
  if (mode === 'bridge') {
    // The office router (wan ns) is the LAN's gateway; the box is a transparent bridge
    // with a management address in the LAN.
    const box = { v4: '192.168.77.2', v6: '2001:db8:77::2' };
    return {
      mode,
      lanPrefix,
      lanGateway: { v4: '192.168.77.1', v6: '2001:db8:77::1' },
      boxLan: box,
      boxWan: box,
      wanLink: { v4: '192.168.77.1', v6: '2001:db8:77::1', prefixLen4: 24, prefixLen6: 64 },
      lanHosts: hosts,
    };
  }
  return {
    mode,
    lanPrefix,
    lanGateway: { v4: '192.168.77.1', v6: '2001:db8:77::1' },
    boxLan: { v4: '192.168.77.1', v6: '2001:db8:77::1' },
    boxWan: { v4: '100.64.77.2', v6: '2001:db8:ff77::2' },
    wanLink: { v4: '100.64.77.1', v6: '2001:db8:ff77::1', prefixLen4: 30, prefixLen6: 64 },
    lanHosts: hosts,
  };
}
