// The names and addresses the page answers to (Host header check against DNS rebinding). They
// follow the box's current addresses and the name it is known by through DHCP (its host name,
// alone and under the DHCP/search domain; in router mode the office name it serves itself),
// so a new address or a renamed box never meets an English "421 Misdirected request".
// Pure parsers here; the adapter that reads the files is hostNamesReader.ts.
import { normaliseDomain, normaliseLabel } from '../net/dnsName.js';
import { canonicalAddress } from '../net/ip.js';

export interface HostNameFacts {
  /** The box's addresses now (any form; normalised here). */
  addresses: readonly string[];
  /** The kernel host name, which the DHCP client sends (networkd SendHostname=yes). */
  hostname: string;
  /** DHCP / resolv.conf search domains the office's router registers the name under. */
  domains: readonly string[];
  /** Router mode: the office name the box serves for itself (config router.boxName / localDomain). */
  boxName?: string | undefined;
  localDomain?: string | undefined;
}

/** The allowed Host values (lower case, no port), loopback always included. Pure. */
export function allowedHosts(f: HostNameFacts): string[] {
  const out = new Set<string>(['localhost', '127.0.0.1', '::1']);
  for (const a of f.addresses) {
    const n = canonicalAddress(a);
    if (n) out.add(n);
  }
  const labels = [normaliseLabel(f.hostname.split('.')[0] ?? ''), f.boxName ? normaliseLabel(f.boxName) : null];
  const fqdn = normaliseDomain(f.hostname);
  if (fqdn && fqdn.includes('.')) out.add(fqdn);
  const domains = [...f.domains, ...(f.localDomain ? [f.localDomain] : [])].map(normaliseDomain).filter((d): d is string => d !== null);
  for (const l of labels) {
    if (!l || l === 'localhost') continue;
    out.add(l);
    for (const d of domains) out.add(`${l}.${d}`);
  }
  return [...out];
}

/** Search domains of a resolv.conf (`search a b`, `domain a`), networkd lease (`DOMAINNAME=a`)
 *  or dhclient lease (`option domain-name "a";`); at most 8, invalid ones skipped. */
export function parseDomains(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (l.startsWith('#') || l.startsWith(';')) continue; // resolv.conf comments
    const m = /^(?:search|domain)\s+(.+)$/.exec(l)
      ?? /^DOMAINNAME=(.+)$/.exec(l)
      ?? /^option\s+domain-name\s+"([^"]+)";?$/.exec(l);
    if (!m?.[1]) continue;
    for (const part of m[1].split(/\s+/)) {
      const d = normaliseDomain(part);
      if (d && !out.includes(d)) out.push(d);
    }
  }
  return out.slice(0, 8);
}
