// The feed catalog: which public and provider blocklists the box knows, how to fetch and
// parse each, and what a hit means. Three layers, later wins by feed id:
//   shipped (rules/feeds.json) < provider (provisioning bundle `feeds`) < technician
//   (overrides file in the state dir, survives upgrades because it is not in the image).
// `mergeCatalog` is pure; reading the files is the caller's job.
import { z } from 'zod';
import { validate as validateCron } from 'node-cron';

/** The line formats a feed may use (blocklist/parse.ts reads each). */
export const FEED_FORMATS = ['plain', 'spamhaus-drop', 'spamhaus-jsonl', 'csv', 'range'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

export const CATEGORIES = ['c2', 'malware', 'spam', 'scanner', 'botnet', 'bruteforce', 'compromised', 'hijacked'] as const;
export type Category = (typeof CATEGORIES)[number];

const LocalizedSchema = z.strictObject({
  ja: z.string().min(1).max(400).describe('Japanese text for office staff'),
  en: z.string().min(1).max(400).describe('English text'),
});

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/).describe('Lower-case hex SHA-256 of the whole body');

export const FeedSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/).describe('Stable identifier; names nft sets, status rows and overrides'),
  name: LocalizedSchema.describe('Short display name'),
  description: LocalizedSchema.describe('What the list contains, in plain words'),
  urls: z
    .strictObject({
      v4: z.url({ protocol: /^https?$/ }).optional().describe('URL of the IPv4 list (or of a mixed list)'),
      v6: z.url({ protocol: /^https?$/ }).optional().describe('URL of the IPv6 list, when published separately'),
    })
    .refine((u) => u.v4 !== undefined || u.v6 !== undefined, 'at least one of v4, v6')
    .describe('Where to fetch the list, per address family'),
  format: z.enum(FEED_FORMATS).describe('Parser rules to apply (see README.md, "How a feed line is read")'),
  csv: z
    .strictObject({
      column: z.union([z.number().int().min(1), z.string().min(1)]).describe('1-based column number or header name holding the address'),
      delimiter: z.string().length(1).optional().describe('Field separator (default comma)'),
      header: z.boolean().optional().describe('First non-comment line is a header (implied by a column name)'),
    })
    .optional()
    .describe('Column choice; required when format is csv'),
  allowHostBits: z.boolean().default(false).describe('Accept prefixes with host bits set by masking them (normally rejected as ambiguous)'),
  category: z.enum(CATEGORIES).describe('What kind of bad the listed addresses are; drives the alert wording'),
  direction: z.enum(['outbound', 'inbound', 'both']).describe('Which traffic the list applies to, seen from the office'),
  action: z.enum(['drop', 'watch']).describe('drop: block and alert; watch: alert only, traffic passes'),
  refresh: z.string().refine((s) => validateCron(s), 'not a valid cron expression').describe('node-cron schedule; per-box jitter is added on top'),
  minEntries: z.number().int().min(0).describe('Fewest accepted entries a healthy download has; fewer is a fault'),
  maxShrinkRatio: z.number().min(0).max(1).default(0.5).describe('Largest allowed drop versus last-good (0.5: fewer than half of last-good is a fault)'),
  maxRejectRatio: z.number().min(0).max(1).default(0.1).describe('Largest allowed share of rejected data lines before the download counts as a parse failure'),
  sha256: z
    .strictObject({ v4: Sha256Schema.optional(), v6: Sha256Schema.optional() })
    .optional()
    .describe('Pinned body digests per URL, for static provider lists; a mismatch is a fault'),
  maxBytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(32 * 1024 * 1024).describe('Largest body accepted; bigger downloads are aborted'),
  enabledByDefault: z.boolean().describe('On for a fresh box unless a technician turns it off'),
});
export type Feed = z.infer<typeof FeedSchema>;
export type FeedInput = z.input<typeof FeedSchema>;

const uniqueIds = (feeds: Array<{ id: string }>): boolean => new Set(feeds.map((f) => f.id)).size === feeds.length;

export const CatalogSchema = z.strictObject({
  version: z.literal(1).describe('Catalog file format version'),
  feeds: z
    .array(FeedSchema.refine((f) => f.format !== 'csv' || f.csv !== undefined, 'csv format needs csv.column'))
    .refine(uniqueIds, 'feed ids must be unique')
    .describe('Feeds in display order'),
});
export type Catalog = z.infer<typeof CatalogSchema>;

/** A technician's per-feed settings; only these fields may be changed without redefining the feed. */
export const FeedOverrideSchema = z.strictObject({
  enabled: z.boolean().optional().describe('Turn the feed on or off on this box'),
  action: z.enum(['drop', 'watch']).optional().describe('Change block to watch-only or back'),
  refresh: z.string().refine((s) => validateCron(s), 'not a valid cron expression').optional().describe('Different schedule on this box'),
  minEntries: z.number().int().min(0).optional().describe('Different plausibility minimum'),
  maxShrinkRatio: z.number().min(0).max(1).optional().describe('Different shrink tolerance'),
});

export const TechnicianOverridesSchema = z.strictObject({
  version: z.literal(1).describe('Overrides file format version'),
  feeds: z.array(FeedSchema).default([]).refine(uniqueIds, 'feed ids must be unique').describe('Feeds added (or fully redefined) by the technician'),
  settings: z.record(z.string(), FeedOverrideSchema).default({}).describe('Per-feed setting changes by feed id'),
});
export type TechnicianOverrides = z.infer<typeof TechnicianOverridesSchema>;

export type FeedSource = 'shipped' | 'provider' | 'technician';
export interface ResolvedFeed extends Feed {
  enabled: boolean;
  source: FeedSource;
}
export interface CatalogWarning { feedId: string; problem: 'unknown_feed_in_settings' | 'csv_without_column' }
export interface MergedCatalog { feeds: ResolvedFeed[]; warnings: CatalogWarning[] }

/** Merge shipped < provider < technician by feed id; pure, never throws (problems become warnings). */
export function mergeCatalog(shipped: readonly Feed[], provider: readonly Feed[], technician: TechnicianOverrides | null): MergedCatalog {
  const byId = new Map<string, ResolvedFeed>();
  const warnings: CatalogWarning[] = [];
  const layer = (feeds: readonly Feed[], source: FeedSource): void => {
    for (const f of feeds) {
      if (f.format === 'csv' && f.csv === undefined) {
        warnings.push({ feedId: f.id, problem: 'csv_without_column' });
        continue;
      }
      // a redefined feed keeps its place in the list; new ones append
      byId.set(f.id, { ...f, enabled: f.enabledByDefault, source });
    }
  };
  layer(shipped, 'shipped');
  layer(provider, 'provider');
  layer(technician?.feeds ?? [], 'technician');
  for (const [id, s] of Object.entries(technician?.settings ?? {})) {
    const f = byId.get(id);
    if (f === undefined) {
      warnings.push({ feedId: id, problem: 'unknown_feed_in_settings' });
      continue;
    }
    byId.set(id, {
      ...f,
      enabled: s.enabled ?? f.enabled,
      action: s.action ?? f.action,
      refresh: s.refresh ?? f.refresh,
      minEntries: s.minEntries ?? f.minEntries,
      maxShrinkRatio: s.maxShrinkRatio ?? f.maxShrinkRatio,
    });
  }
  return { feeds: [...byId.values()], warnings };
}
