// "A well-known service" by network (issue 15): the networks large service operators publish for
// their own services and their clouds (rules/service-networks.json: Amazon's ip-ranges.json,
// Microsoft's service tags and public IP space, Google's goog.txt and cloud.json, Apple's 17/8).
// A monitoring-centre analyst who sees a PC check in every 15 minutes to an Azure or AWS address
// on 443 thinks "Windows telemetry, a sync client" before "an implant", but does not forget that
// anyone can rent an address there. So this is weaker evidence, never an allowlist: the detectors
// decide what it weakens (beacon.ts) and the evidence names the operator.
import { z } from 'zod';
import { CidrSet } from '../net/cidrSet.js';

export const ServiceNetworksSchema = z.strictObject({
  version: z.literal(1),
  about: z.string().max(2000).optional(),
  operators: z.array(z.strictObject({
    name: z.string().min(1).max(40).describe('The operator, as shown in evidence ("amazon").'),
    source: z.array(z.string().max(400)).min(1).describe('Where the prefixes come from, with the date they were taken.'),
    prefixes: z.array(z.string().max(50)).min(1).max(20_000),
  })).max(32),
});
export type ServiceNetworksDoc = z.infer<typeof ServiceNetworksSchema>;

export class ServiceNetworksError extends Error {
  override name = 'ServiceNetworksError';
}

/** Which operator's published network an address lies in. */
export type OperatorOf = (ip: string) => string | undefined;

/** Compiles a service-networks document; throws ServiceNetworksError on a bad document or prefix. */
export function compileServiceNetworks(doc: unknown): OperatorOf {
  const r = ServiceNetworksSchema.safeParse(doc);
  if (!r.success) throw new ServiceNetworksError(`invalid service networks: ${z.prettifyError(r.error)}`, { cause: r.error });
  let sets: Array<[string, CidrSet]>;
  try {
    sets = r.data.operators.map((o): [string, CidrSet] => [o.name, new CidrSet(o.prefixes)]);
  } catch (e) {
    throw new ServiceNetworksError('invalid service networks: bad prefix', { cause: e });
  }
  // Asked only for destinations a detector is about to report or count (a few per minute), so a
  // plain scan of a few thousand prefixes is enough; the last answers are kept for repeats.
  const recent = new Map<string, string | null>();
  return (ip) => {
    let hit = recent.get(ip);
    if (hit === undefined) {
      hit = sets.find(([, s]) => s.has(ip))?.[0] ?? null;
      if (recent.size >= 4096) recent.clear();
      recent.set(ip, hit);
    }
    return hit ?? undefined;
  };
}
