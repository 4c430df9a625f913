// The page's connection caps, worked out from the file-descriptor limit utmd runs under:
// the page may use what is left after a headroom kept for the children's pipes, SQLite, the
// control socket, nft runs and the sensors' sockets. One client is one IPv4 address or one
// IPv6 /64 (a host can pick any address in its /64).
import { readFileSync } from 'node:fs';
import type { ConnectionLimits } from '../../../webui/src/connLimits.js';
import { socketPeer } from '../net/socketPeer.js';

/** Pure: the soft "Max open files" limit from /proc/self/limits text; null if absent or unlimited. */
export function parseNofile(limitsText: string): number | null {
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)\s+files/m.exec(limitsText);
  if (!m || m[1] === 'unlimited') return null;
  return Number(m[1]);
}

/** The soft descriptor limit of this process (null when unreadable). */
export function readNofile(): number | null {
  try {
    return parseNofile(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return null; // not Linux, or /proc not mounted: the fixed defaults apply
  }
}

/** Descriptors always kept free for everything but the page. */
export const FD_HEADROOM = 256;

/** Pure: caps for a descriptor limit (null: unknown, assume Debian's 1024). */
export function pageLimits(nofile: number | null): ConnectionLimits {
  const limit = nofile ?? 1024;
  const headroom = Math.max(FD_HEADROOM, Math.floor(limit / 4));
  const maxConnections = Math.max(16, Math.min(4096, limit - headroom));
  return { maxConnections, perClient: Math.min(32, Math.max(4, Math.floor(maxConnections / 2))), idleMs: 20_000, headersMs: 10_000, requestMs: 30_000, keyOf: clientKey };
}

/** Pure: which client a remote address belongs to: the IPv4 address, or the IPv6 /64. */
export function clientKey(remote: string): string {
  const p = socketPeer(remote);
  return p?.net64 ?? p?.address ?? remote; // not an address we can read: count it on its own
}
