// `utmctl flows` for a person: one line per judged connection, newest first. Addresses, names
// and MACs came from the network: every value goes through safe().
import type { RecentFlow } from '../traffic/recentFlows.js';
import { safe, time } from './human.js';
import { hostPort } from '../net/hostOrAddress.js';

const endpoint = (ip: string, port: number | undefined): string => (port === undefined ? safe(ip) : safe(hostPort(ip, port)));

/** Prints the answer of `traffic.flows`. */
export function printFlows(r: { flows: RecentFlow[]; seen: number }, out: (s: string) => void): void {
  if (!r.flows.length) out('no connections seen yet\n');
  for (const f of r.flows) {
    const arrow = f.direction === 'inbound' ? '<-' : '->';
    const name = f.remoteName === undefined ? '' : ` (${safe(f.remoteName)})`;
    out(`${time(f.end)} ${safe(f.event).padEnd(6)} ${safe(f.proto).padEnd(4)} ${endpoint(f.deviceIp, f.devicePort)} ${arrow} ${endpoint(f.remoteIp, f.remotePort)}${name}`
      + `  sent ${f.bytesOut} B received ${f.bytesIn} B  ${safe(f.direction)}\n`);
  }
  if (r.seen > r.flows.length) out(`(${r.flows.length} shown of ${r.seen} judged since start; --limit N for more)\n`);
}
