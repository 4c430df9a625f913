// Pure mute matching and the "already blocked, nothing new" suppression rule.
// A mute is scoped to a device, a destination, or both (optionally one alert kind), and may expire.
import { z } from 'zod';
import { CidrSet } from '../net/cidrSet.js';
import { severityRank } from './incidents.js';
import type { Finding, Severity } from './types.js';

export const MuteSchema = z.strictObject({
  id: z.number().int().nonnegative().describe('Store id.'),
  device: z.string().max(64).optional().describe('Device MAC (lower case) or IP address.'),
  remote: z.string().max(50).optional().describe('Destination address or prefix.'),
  kind: z.string().max(40).optional().describe('Only this alert kind; absent = every kind.'),
  until: z.number().int().nullable().describe('Expiry (ms since epoch); null = until removed.'),
  reason: z.string().max(200).default('').describe('Why the technician muted it.'),
}).refine((m) => m.device !== undefined || m.remote !== undefined, { message: 'a mute needs a device, a destination, or both' });
export type Mute = z.infer<typeof MuteSchema>;

function remoteMatches(pattern: string, ip: string | undefined): boolean {
  if (ip === undefined) return false;
  if (!pattern.includes('/')) return pattern.toLowerCase() === ip.toLowerCase();
  try {
    return new CidrSet([pattern]).has(ip);
  } catch (err) {
    // A malformed stored pattern never matches; the schema layer reports it.
    void err;
    return false;
  }
}

/** First active mute covering the finding at time `now`, or undefined. */
export function findMute(mutes: readonly Mute[], f: Finding, now: number): Mute | undefined {
  for (const m of mutes) {
    if (m.until !== null && m.until <= now) continue;
    if (m.kind !== undefined && m.kind !== f.kind) continue;
    if (m.device !== undefined) {
      const d = m.device.toLowerCase();
      if (d !== f.device?.mac && d !== f.device?.ip?.toLowerCase()) continue;
    }
    if (m.remote !== undefined && !remoteMatches(m.remote, f.remote?.ip)) continue;
    return m;
  }
  return undefined;
}

/** What the store already holds for the finding's dedup key. */
export interface PriorAlert { severity: Severity; action: Finding['action'] }

/** True when policy already blocked the traffic and the finding teaches nothing new: an alert
 *  with the same dedup key exists, it was also blocked, and the severity did not rise. */
export function suppressBlocked(f: Finding, prior: PriorAlert | undefined): boolean {
  if (f.action !== 'blocked' || prior === undefined) return false;
  return prior.action === 'blocked' && severityRank(f.severity) <= severityRank(prior.severity);
}
