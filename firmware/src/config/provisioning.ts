// The provider's provisioning bundle (JSON): who this box is, where alerts go, whom staff call.
import { z } from 'zod';
import { IpEntry } from './fields.js';
import { UpstreamTargetSchema } from './upstream.js';
import { FeedSchema } from './feedCatalog.js';

export const PasswordHash = z
  .string()
  .regex(/^scrypt\$\d{1,7}\$\d{1,2}\$\d{1,2}\$[A-Za-z0-9+/=]{16,64}\$[A-Za-z0-9+/=]{32,128}$/, 'a hash made by `utmctl hash-password` (scrypt$N$r$p$salt$hash)');

/** The office's time zone when the bundle names none: the product is sold in Japan. */
export const DEFAULT_TIME_ZONE = 'Asia/Tokyo';

/** An IANA time zone name this Node's ICU knows (the page prints every time in it). */
export const TimeZone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch (e) {
      if (e instanceof RangeError) return false;
      throw e;
    }
  }, 'an IANA time zone name, e.g. Asia/Tokyo');

export const ProvisioningSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Ignored; lets editors find the JSON schema'),
    version: z.literal(1).describe('Bundle format version'),
    deviceId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - (1-64)').describe('The provider\'s id for this box; sent as HOSTNAME upstream'),
    upstream: UpstreamTargetSchema.describe('Where upstream messages (alerts, conditions, heartbeats, statistics) are forwarded, and how'),
    desk: z
      .strictObject({
        name: z.string().min(1).max(80).describe('Consultation desk name shown to staff, e.g. 「〇〇お助け隊 相談窓口」'),
        phone: z.string().regex(/^[0-9+\-() ]{3,30}$/, 'a phone number (digits, + - ( ) and spaces)').describe('Phone number staff call'),
        hours: z.string().max(80).optional().describe('Opening hours, e.g. 「24時間365日」'),
      })
      .describe('Consultation desk'),
    language: z.enum(['ja', 'en']).default('ja').describe('Default language of the page'),
    timeZone: TimeZone.default(DEFAULT_TIME_ZONE).describe('IANA time zone in which the page shows times'),
    admin: z
      .strictObject({ passwordHash: PasswordHash.describe('Login for state-changing actions on the page') })
      .describe('Per-device administrator credential'),
    learningDays: z.int().min(0).max(90).default(7).describe('Days during which devices are learned as the baseline without alerts'),
    autoQuarantineNewDevices: z.boolean().default(false).describe('Quarantine every device first seen after the learning period until staff approve it (provider policy)'),
    management: z.array(IpEntry).max(100).default([]).describe('Provider management addresses; never blocked'),
    feeds: z.array(FeedSchema).max(50).default([]).describe('The provider\'s own blocklist feeds (same shape as rules/feeds.json entries); a feed with a catalog id replaces it'),
  })
  .describe('Provider provisioning bundle');

export type Provisioning = z.output<typeof ProvisioningSchema>;
