// Shared setup of the blocklist lab tests: a lab, a feed file served from the lab's "feeds"
// host (192.0.2.53), utmd with only that feed, and probes that tell pass from drop.
import type { ExecutionContext } from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab, type Lab, type LabOptions } from '../../lab/lab.js';
import { hostPort, startHttpServer, startTcpListener, tcpProbe, type HttpServer } from '../../lab/services.js';
import { labUtmdConfig, startUtmd, type Utmd } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';

export const FEED_PORT = 8080;

export interface FeedLab {
  lab: Lab;
  dir: string;
  writeFeed(lines: string[]): void;
  serve(): Promise<HttpServer>;
  config: Record<string, unknown>;
  start(): Promise<Utmd>;
  /** TCP from lan1 to addr:443: connected, or timeout when dropped. */
  probe(addr: string): Promise<string>;
  /** Polls until the probe gives `outcome`; throws PollTimeoutError. */
  until(addr: string, outcome: 'connected' | 'timeout', what: string): Promise<void>;
}

export interface FeedLabOptions {
  /** The lab's shape (default: bridge mode, one LAN host). */
  lab?: Partial<LabOptions>;
  /** The family of the feed's one URL (default 4: served on the feeds host's IPv4 address). */
  family?: 4 | 6;
  /** The feed's format (default `plain`). */
  format?: 'plain' | 'range';
}

/** Builds the lab (destroyed in teardown even on failure). */
export async function feedLab(t: ExecutionContext, opts: FeedLabOptions = {}): Promise<FeedLab> {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1, ...opts.lab });
  const family = opts.family ?? 4;
  const feedsAddr = family === 4 ? lab.internet.feeds.v4 : lab.internet.feeds.v6;
  const dir = mkdtempSync(join(tmpdir(), 'utm-feed-'));
  t.teardown(async () => {
    try {
      await lab.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  // every address of 203.0.113.0/24 (and 2001:db8:66::/64) answers on 443 (AnyIP in wan)
  await startTcpListener(lab, lab.ns.wan, [{ addr: family === 4 ? '0.0.0.0' : '::', port: 443 }]);
  const config = {
    ...labUtmdConfig(lab, []),
    // Closed connections are reaped (and their flow end reported) when conntrack is listed:
    // every 5 s here, not the shipped 60 s, so contact tests see flow ends promptly.
    traffic: { conntrackPollSeconds: 5 },
    feeds: {
      shipped: false,
      jitterSeconds: 0,
      fetchTimeoutSeconds: 5,
      extra: [{
        id: 'lab-c2',
        name: { ja: 'ラボのリスト', en: 'Lab list' },
        description: { ja: 'テスト用のリストです。', en: 'A list for tests.' },
        urls: { [`v${family}`]: `http://${hostPort(feedsAddr, FEED_PORT)}/feed.txt` },
        format: opts.format ?? 'plain',
        category: 'c2',
        direction: 'both',
        action: 'drop',
        refresh: '0 0 1 1 *',
        minEntries: 1,
        maxShrinkRatio: 0.9,
        maxRejectRatio: 0.5,
        enabledByDefault: true,
      }],
    },
  };
  const probe = async (addr: string): Promise<string> => (await tcpProbe(lab.hosts[0]!.ns, [{ addr, port: 443 }], { timeoutMs: 1500 }))[0]!.outcome;
  return {
    lab, dir, config,
    writeFeed: (lines) => writeFileSync(join(dir, 'feed.txt'), `# lab feed\n${lines.join('\n')}\n`),
    serve: () => startHttpServer(lab, lab.ns.wan, feedsAddr, FEED_PORT, dir),
    start: () => startUtmd(lab, { config }),
    probe,
    until: async (addr, outcome, what) => {
      await waitFor(async () => (await probe(addr)) === outcome, { what, timeoutMs: 30_000, intervalMs: 300 });
    },
  };
}

/** `utmctl blocklist refresh --json`, parsed; throws if utmctl failed, or if its exit code
 *  does not match the report (1 exactly when a feed failed, 0 otherwise). */
export async function refresh(utmd: Utmd): Promise<Array<{ feedId: string; result: string; reason?: string }>> {
  const r = await utmd.ctl(['blocklist', 'refresh', '--json']);
  if (r.code !== 0 && r.code !== 1) throw new Error(`utmctl blocklist refresh failed: ${r.stderr}`);
  const reports = JSON.parse(r.stdout) as Array<{ feedId: string; result: string; reason?: string }>;
  const fault = reports.some((x) => x.result === 'fault');
  if (r.code !== (fault ? 1 : 0)) throw new Error(`utmctl blocklist refresh exited ${r.code} for ${fault ? 'a fault' : 'no fault'}: ${r.stderr}`);
  return reports;
}
