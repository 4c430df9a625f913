// Which office range the DHCP server serves and which box address it hands out as the
// gateway: the first IPv4 office prefix and the box's address inside it. Read by net/ip's one
// strict parser (issue 13), not by splitting on dots: an ambiguous or malformed address
// ("192.168.1.07") is never taken for the box's own.
import { IpParseError, parseCidr, rangeHas, readAddress, type Cidr } from '../net/ip.js';

/** The IPv4 prefix served and the box's address in it (canonical text), or undefined. Pure. */
export function dhcpGateway(lanPrefixes: readonly string[], boxAddresses: readonly string[]): { prefix: string; gateway: string } | undefined {
  for (const prefix of lanPrefixes) {
    const c = v4Prefix(prefix);
    if (c === undefined) continue;
    for (const a of boxAddresses) {
      const r = readAddress(a);
      if (r.ok && rangeHas(c, r.family, r.value)) return { prefix, gateway: r.text };
    }
    return undefined; // the first IPv4 office range is the one served
  }
  return undefined;
}

function v4Prefix(text: string): Cidr | undefined {
  try {
    const c = parseCidr(text, { allowHostBits: true });
    return c.family === 4 ? c : undefined;
  } catch (e) {
    if (e instanceof IpParseError) return undefined;
    throw e;
  }
}
