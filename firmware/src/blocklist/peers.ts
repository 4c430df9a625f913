// The box's own peers on the internet, which no blocklist may ever cut off: the DNS resolvers
// it (and, in router mode, dnsmasq for the office) asks, the NTP servers it keeps time with,
// and the servers its feeds are downloaded from. Pure parsers of the files that name them;
// the adapter that reads the files and resolves names is peersReader.ts.
import { isHostOrAddress, peerAddress } from '../net/hostOrAddress.js';

export type PeerKind = 'resolver' | 'ntp' | 'feed_host';

/** The protected peers by kind: normalised address text. */
export type BoxPeers = Record<PeerKind, string[]>;

export function emptyPeers(): BoxPeers {
  return { resolver: [], ntp: [], feed_host: [] };
}


function lines(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/[#;].*$/, '').trim()).filter(Boolean);
}

/** `nameserver ADDR` lines of a resolv.conf (the first 16). */
export function parseResolvConf(text: string): string[] {
  const out: string[] = [];
  for (const l of lines(text)) {
    const addr = /^nameserver\s+(\S+)$/.exec(l)?.[1];
    const a = addr === undefined ? null : peerAddress(addr);
    if (a) out.push(a);
  }
  return out.slice(0, 16);
}

/** DNS servers handed out by DHCP: dhclient leases (`option domain-name-servers a, b;`),
 *  systemd-networkd leases (`DNS=a b`) and udhcpc-style `dns=a b` files. */
export function parseLeaseDns(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    const list = (/^option\s+(?:domain-name-servers|dhcp6\.name-servers)\s+([^;]+);?$/.exec(l) ?? /^(?:DNS|dns)=(.+)$/.exec(l))?.[1];
    if (list === undefined) continue;
    for (const part of list.split(/[\s,]+/)) {
      const a = peerAddress(part);
      if (a) out.push(a);
    }
  }
  return out.slice(0, 32);
}

/** NTP servers handed out by DHCP, which timesyncd uses first: systemd-networkd leases
 *  (`NTP=a b`), dhclient leases (`option ntp-servers a, b;`, `option dhcp6.sntp-servers …`).
 *  Addresses only (the box's image keeps time with timesyncd, fed by networkd). */
export function parseLeaseNtp(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    const list = (/^option\s+(?:ntp-servers|dhcp6\.sntp-servers)\s+([^;]+);?$/.exec(l) ?? /^NTP=(.+)$/.exec(l))?.[1];
    if (list === undefined) continue;
    for (const part of list.split(/[\s,]+/)) {
      const a = peerAddress(part);
      if (a) out.push(a);
    }
  }
  return out.slice(0, 32);
}

/** Host names or addresses of systemd-timesyncd config (`NTP=`, `FallbackNTP=`). */
export function parseTimesyncd(text: string): string[] {
  const out: string[] = [];
  for (const l of lines(text)) {
    const v = /^(?:NTP|FallbackNTP)\s*=\s*(.*)$/.exec(l)?.[1];
    if (v !== undefined) out.push(...v.split(/\s+/).filter(Boolean));
  }
  return out.filter(isHostOrAddress).slice(0, 32);
}

/** Host names or addresses of chrony config and `.sources` files (`server`, `pool`, `peer`). */
export function parseChrony(text: string): string[] {
  const out: string[] = [];
  for (const l of text.split('\n').map((x) => x.replace(/[#!;%].*$/, '').trim())) {
    const host = /^(?:server|pool|peer)\s+(\S+)/.exec(l)?.[1];
    if (host !== undefined) out.push(host);
  }
  return out.filter(isHostOrAddress).slice(0, 32);
}


/** Sorted, de-duplicated union per kind. */
export function mergePeers(...all: Array<Partial<BoxPeers>>): BoxPeers {
  const out = emptyPeers();
  for (const k of Object.keys(out) as PeerKind[]) {
    out[k] = [...new Set(all.flatMap((p) => p[k] ?? []))].sort();
  }
  return out;
}

/** Same addresses per kind. */
export function samePeers(a: BoxPeers, b: BoxPeers): boolean {
  return JSON.stringify(mergePeers(a)) === JSON.stringify(mergePeers(b));
}

/** Every protected address, whatever its kind. */
export function allPeerAddresses(p: BoxPeers): string[] {
  return [...new Set([...p.resolver, ...p.ntp, ...p.feed_host])].sort();
}
