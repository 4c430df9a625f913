// The remote address of a socket as Node reports it: a dual-stack socket gives an IPv4 client
// as ::ffff:a.b.c.d and a link-local IPv6 client may carry a %zone. One reader (issue 13) for
// the page's per-client connection caps (app/webLimits.ts) and login limiting
// (webui/src/auth/rateLimit.ts), both of which count one IPv4 address or one IPv6 /64 as one client.
import { formatAddress, readAddress, type Family } from './ip.js';

/** A socket peer: its family, canonical address, and for IPv6 the /64 it can pick addresses from. */
export interface SocketPeer { family: Family; address: string; net64: string | null }

const MAPPED = /^::ffff:(?=[0-9.]+$)/i;

/** The peer `remote` (req.socket.remoteAddress) read by net/ip's strict parser; undefined when it is not one address. */
export function socketPeer(remote: string): SocketPeer | undefined {
  const r = readAddress(remote.replace(/%.*$/, '').replace(MAPPED, ''));
  if (!r.ok) return undefined;
  if (r.family === 4) return { family: 4, address: r.text, net64: null };
  return { family: 6, address: r.text, net64: `${formatAddress(6, (r.value >> 64n) << 64n)}/64` };
}
