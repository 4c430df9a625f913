// Adapter of cut.ts: lists conntrack, reads where quarantined devices were seen,
// and deletes the matching entries. Never throws: a failure is counted and logged, and the
// lists stay in force for every new connection.
import { parseMacIpSet, parseNeighbours } from '../net/neighbours.js';
import { addressFamily } from '../net/ip.js';
import { LAN_SEEN6_SET, LAN_SEEN_SET } from '../nft/render.js';
import type { Policy } from '../nft/policy.js';
import { systemBin } from '../sys/bin.js';
import { run, RunError } from '../sys/run.js';
import { listOpenConnections } from '../traffic/conntrackList.js';
import { connectionPeers, listedPeers, quarantinedAddresses } from './cut.js';

export interface CutterDeps {
  /** `nft -j list set FAMILY <our table> SET` (the ruleset backend's listSet). */
  listSet: (family: 'inet' | 'bridge', set: string) => Promise<string>;
  onError: (what: string, e: unknown) => void;
  /** Addresses the device inventory holds for quarantined MACs (optional). */
  known?: () => readonly { mac: string; ipv4?: string | undefined; ipv6?: string | undefined }[];
}

const conntrack = systemBin('conntrack');

/** What the application service asks of the cutter. */
export interface ConnectionSweeper {
  /** Ends the open connections that `policy` now forbids; returns how many were deleted. Never rejects. */
  sweep(policy: Policy): Promise<number>;
}

export class ConnectionCutter implements ConnectionSweeper {
  readonly stats = { sweeps: 0, addresses: 0, deleted: 0, errors: 0, lastMs: 0 };

  constructor(private readonly d: CutterDeps) {}

  /** Ends the open connections that `policy` now forbids; returns how many were deleted. */
  async sweep(policy: Policy): Promise<number> {
    const t0 = performance.now();
    let deleted = 0;
    try {
      const listing = await listOpenConnections();
      const targets = new Set(listedPeers(policy, connectionPeers(listing)));
      if (policy.quarantine.length) for (const a of await this.quarantined(policy)) targets.add(a);
      this.stats.addresses += targets.size;
      for (const addr of targets) {
        for (const side of ['-s', '-d']) deleted += await this.delete(addr, side);
      }
      this.stats.deleted += deleted;
      this.stats.sweeps++;
    } catch (e) {
      this.stats.errors++;
      this.d.onError('ending connections of listed addresses', e);
    } finally {
      this.stats.lastMs = performance.now() - t0;
    }
    return deleted;
  }

  /** Addresses the neighbour table and the sightings sets hold for quarantined MACs
   *  (`lan_seen`, `lan_seen6` in the inet table, both modes: every new connection from the
   *  office records its sender's MAC and address), and those the device inventory holds
   *  (a device that only answered connections lately is in neither set). */
  private async quarantined(policy: Policy): Promise<string[]> {
    const neigh = parseNeighbours((await run([systemBin('ip'), '-j', 'neigh', 'show'], { timeoutMs: 10_000 })).stdout).sightings;
    const seen = parseMacIpSet(await this.listed('inet', LAN_SEEN_SET)).sightings;
    const seen6 = parseMacIpSet(await this.listed('inet', LAN_SEEN6_SET)).sightings;
    return quarantinedAddresses(policy.quarantine, [...neigh, ...seen, ...seen6, ...(this.d.known?.() ?? [])]);
  }

  /** A sightings set as listed; an unreadable one counts as an error and reads as empty
   *  (the neighbour table and the other set still give what they hold). */
  private async listed(family: 'inet' | 'bridge', set: string): Promise<string> {
    try {
      return await this.d.listSet(family, set);
    } catch (e) {
      this.stats.errors++;
      this.d.onError(`reading the sightings set ${set}`, e);
      return '{}';
    }
  }

  /** `conntrack -D` by one address; exit 1 means nothing matched. */
  private async delete(addr: string, side: string): Promise<number> {
    try {
      const r = await run([conntrack, '-D', '-f', addressFamily(addr) === 6 ? 'ipv6' : 'ipv4', side, addr], { timeoutMs: 10_000 });
      return Number(/(\d+) flow entr/.exec(r.stderr)?.[1] ?? 0);
    } catch (e) {
      if (e instanceof RunError && e.code === 1) return 0;
      throw e;
    }
  }
}
