// The `feeds` section of the local config file: which catalog feeds run on this box,
// extra feeds, and the limits every download and every entry must respect.
import { z } from 'zod';
import { validate as validateCron } from 'node-cron';
import { FeedSchema } from './feedCatalog.js';

const FeedId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'a feed id from the catalog');

const feedsDefaults = {
  shipped: true, enable: [], disable: [], extra: [], minPrefix: { v4: 8, v6: 24 },
  fetchTimeoutSeconds: 60, maxBytes: 32 * 1024 * 1024, jitterSeconds: 900,
};

export const FeedsConfigSchema = z
  .strictObject({
    shipped: z.boolean().default(true).describe('Use the feeds shipped in rules/feeds.json (off: only provider, config and technician feeds)'),
    enable: z.array(FeedId).max(200).default([]).describe('Catalog feeds to turn on although they are off by default'),
    disable: z.array(FeedId).max(200).default([]).describe('Catalog feeds to turn off'),
    extra: z.array(FeedSchema).max(50).default([]).describe('Further feeds for this box (same shape as rules/feeds.json entries)'),
    refresh: z.string().refine((s) => validateCron(s), 'not a valid cron expression').optional().describe('One refresh schedule for every feed, overriding the catalog (per-box jitter is added)'),
    maxShrinkRatio: z.number().min(0).max(1).optional().describe('Override of every feed\'s shrink tolerance: 0.5 refuses an update with fewer than half of last-good\'s entries'),
    minPrefix: z
      .strictObject({
        v4: z.int().min(1).max(32).default(8).describe('Broadest IPv4 prefix a feed may load (8: nothing larger than a /8)'),
        v6: z.int().min(1).max(128).default(24).describe('Broadest IPv6 prefix a feed may load'),
      })
      .default({ v4: 8, v6: 24 })
      .describe('Breadth limits: a broader entry is refused as too_broad'),
    fetchTimeoutSeconds: z.int().min(1).max(600).default(60).describe('Deadline of one download, redirects included'),
    maxBytes: z.int().min(1024).max(256 * 1024 * 1024).default(32 * 1024 * 1024).describe('Largest download accepted from any feed (a feed\'s own smaller limit wins)'),
    jitterSeconds: z.int().min(0).max(3600).default(900).describe('Largest per-box delay added to each scheduled refresh, so a fleet does not hit a feed at once'),
  })
  .default(feedsDefaults)
  .describe('Blocklist feeds');

export type FeedsConfig = z.output<typeof FeedsConfigSchema>;
