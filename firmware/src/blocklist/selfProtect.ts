// The box's protected peers as the blocklist feature keeps them: resolvers and NTP servers
// (re-read from the system's files), and each feed's download servers (as the last downloads
// resolved and connected to them). Kept in STATE/self-protect.json (atomic, 0600), so after a
// restart a feed refreshed first cannot block another feed's server before that one is
// fetched again. The addresses go into the guard (with their reason) and into the ruleset's
// allowlist, which the kernel checks before every blocklist set: an entry that reached a set
// before (an old snapshot, a manual block) cannot cut them off either.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeAtomic } from '../sys/files.js';
import { emptyPeers, mergePeers, samePeers, type BoxPeers } from './peers.js';
import { peerAddress } from '../net/hostOrAddress.js';
import { readBoxPeers, type PeerSources } from './peersReader.js';

export const SELF_PROTECT_FILE = 'self-protect.json';
/** Addresses remembered per feed (most recent first): CDNs rotate, a few old ones do no harm. */
const PER_FEED = 8;

const Addr = z.string().max(64).transform((s, ctx) => peerAddress(s) ?? (ctx.addIssue({ code: 'custom', message: 'not an address' }), z.NEVER));
const FileSchema = z.object({
  version: z.literal(1),
  resolver: z.array(Addr).max(64).default([]),
  ntp: z.array(Addr).max(64).default([]),
  feedHosts: z.record(z.string().max(48), z.array(Addr).max(PER_FEED)).default({}),
});

export interface SelfProtectOptions {
  stateDir: string;
  /** NTP servers named in the config (host names or addresses). */
  extraNtp: readonly string[];
  sources?: PeerSources | undefined;
  onProblem: (what: string, e: unknown) => void;
}

export class SelfProtect {
  private box: Pick<BoxPeers, 'resolver' | 'ntp'> = { resolver: [], ntp: [] };
  private readonly feedHosts = new Map<string, string[]>();
  /** NTP host names that did not resolve at the last read. */
  unresolved: string[] = [];

  constructor(private readonly o: SelfProtectOptions) {}

  private get file(): string {
    return join(this.o.stateDir, SELF_PROTECT_FILE);
  }

  /** Loads what the last run knew (a missing or bad file: start empty and say so). */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.o.onProblem(this.file, e);
      return;
    }
    try {
      const f = FileSchema.parse(JSON.parse(text));
      this.box = { resolver: f.resolver, ntp: f.ntp };
      for (const [id, a] of Object.entries(f.feedHosts)) this.feedHosts.set(id, a);
    } catch (e) {
      this.o.onProblem(this.file, e);
    }
  }

  /** Every protected peer by kind. */
  current(extra: readonly string[] = []): BoxPeers {
    return mergePeers(emptyPeers(), this.box, { feed_host: [...[...this.feedHosts.values()].flat(), ...extra] });
  }

  /** Re-reads resolvers and NTP servers; true when they changed (then saved). */
  async refreshBox(): Promise<boolean> {
    const before = this.current();
    const r = await readBoxPeers({ sources: this.o.sources, extraNtp: this.o.extraNtp, onProblem: this.o.onProblem });
    this.unresolved = r.unresolved;
    // an NTP name that does not resolve now keeps the addresses it had
    this.box = { resolver: r.resolver, ntp: r.unresolved.length ? [...new Set([...r.ntp, ...this.box.ntp])] : r.ntp };
    return this.saveIfChanged(before);
  }

  /** Records the servers a feed download used; true when the protected set changed (then saved). */
  async noteFeed(feedId: string, peers: readonly string[]): Promise<boolean> {
    const fresh = peers.map(peerAddress).filter((a): a is string => a !== null);
    if (!fresh.length) return false;
    const before = this.current();
    const old = this.feedHosts.get(feedId) ?? [];
    this.feedHosts.set(feedId, [...new Set([...fresh, ...old])].slice(0, PER_FEED));
    return this.saveIfChanged(before);
  }

  /** Forgets a feed that was removed or turned off. */
  async forgetFeed(feedId: string): Promise<boolean> {
    const before = this.current();
    this.feedHosts.delete(feedId);
    return this.saveIfChanged(before);
  }

  private async saveIfChanged(before: BoxPeers): Promise<boolean> {
    if (samePeers(before, this.current())) return false;
    const doc = { version: 1, ...this.box, feedHosts: Object.fromEntries(this.feedHosts) };
    try {
      await writeAtomic(this.file, `${JSON.stringify(doc)}\n`);
    } catch (e) {
      this.o.onProblem(this.file, e); // kept in memory; protected for this run all the same
    }
    return true;
  }
}
