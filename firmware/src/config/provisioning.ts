// The provider's provisioning bundle (JSON): who this box is, where alerts go, whom staff call.
import { z } from 'zod';
import { IpEntry } from './fields.js';
import { UpstreamTargetSchema } from './upstream.js';
import { FeedSchema } from './feedCatalog.js';
import { isTimeZoneName } from '../time/timeZone.js';

export const PasswordHash = z
  .string()
  .regex(/^scrypt\$\d{1,7}\$\d{1,2}\$\d{1,2}\$[A-Za-z0-9+/=]{16,64}\$[A-Za-z0-9+/=]{32,128}$/, 'a hash made by `utmctl hash-password` (scrypt$N$r$p$salt$hash)');

/** The office's time zone when the bundle names none: the product is sold in Japan. */
export const DEFAULT_TIME_ZONE = 'Asia/Tokyo';

/** An IANA time zone name (the page prints every time in it), checked without ICU (time/timeZone.ts). */
export const TimeZone = z
  .string()
  .max(64)
  .refine(isTimeZoneName, 'an IANA time zone name, e.g. Asia/Tokyo');

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
    tls: z
      .strictObject({
        certificate: z.string().max(16_000).regex(/-----BEGIN CERTIFICATE-----/, 'a PEM certificate').describe('PEM certificate of the box\'s secure page (e.g. issued by the provider\'s own CA); its subjectAltName should name the box\'s address or name'),
        key: z.string().max(16_000).regex(/-----BEGIN (?:EC |RSA )?PRIVATE KEY-----/, 'a PEM private key').describe('PEM private key of that certificate (ECDSA P-256/P-384 or RSA ≥ 2048)'),
        ca: z.string().max(16_000).regex(/-----BEGIN CERTIFICATE-----/, 'a PEM certificate').optional().describe('PEM certificate of the CA that issued it; when given, the box checks the issue'),
      })
      .optional()
      .describe('The secure page\'s certificate. Without it the box makes its own (ECDSA P-256) at first start; a certificate that does not fit its key, has expired or was not issued by `ca` is refused and the box\'s own is used'),
  })
  .describe('Provider provisioning bundle');

export type Provisioning = z.output<typeof ProvisioningSchema>;
