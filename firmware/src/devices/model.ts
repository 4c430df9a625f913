// The device record and the shapes around it (observations, audit entries, policy).
// Records are persisted and shown to staff, so they are zod schemas: anything read back from
// the store or received over the control socket is validated against them.
import { z } from 'zod';
import { DEVICE_TYPES, OS_FAMILIES } from './fingerprints.js';
import { LIMITS } from './dhcp.js';
import { DeviceTable } from './deviceTable.js';

export const Mac = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/).describe('lower-case aa:bb:cc:dd:ee:ff');
export const DEVICE_STATUSES = ['learning', 'approved', 'new', 'quarantined'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];
export const LABEL_MAX = 64;

export const DhcpFingerprintSchema = z.strictObject({
  prl: z.array(z.number().int().min(0).max(255)).max(LIMITS.prl).describe('option 55 in wire order'),
  vendorClass: z.string().max(LIMITS.vendorClass).nullable().describe('option 60, raw (escape on output)'),
  clientId: z.string().regex(/^[0-9a-f]*$/).max(LIMITS.clientIdBytes * 2).nullable().describe('option 61 as hex'),
});
export type DhcpFingerprint = z.infer<typeof DhcpFingerprintSchema>;

export const DeviceSchema = z.strictObject({
  mac: Mac,
  ipv4: z.array(z.string().max(15)).max(4).describe('most recent first'),
  ipv6: z.array(z.string().max(45)).max(8).describe('most recent first'),
  hostname: z.string().max(LIMITS.hostname).nullable().describe('from DHCP option 12 (raw, hostile)'),
  vendor: z.string().max(80).nullable().describe('IEEE registry organisation; null when randomised'),
  randomised: z.boolean().describe('locally administered (private) MAC'),
  fingerprint: DhcpFingerprintSchema.nullable(),
  osFamily: z.enum(OS_FAMILIES),
  osName: z.string().max(60),
  deviceType: z.enum(DEVICE_TYPES),
  confidence: z.number().min(0).max(1),
  eol: z.boolean(),
  likelyPersonalPhone: z.boolean(),
  phoneReasons: z.array(z.enum(['randomised_mac', 'phone_fingerprint', 'phone_hostname', 'phone_vendor'])).max(4).describe('why it looks like a personal phone'),
  classEvidence: z.array(z.string().max(48)).max(8).optional().describe('what decided the classification: entry id, signals, gates (no device text)'),
  dnsHints: z.array(z.string().regex(/^[a-z0-9-]+$/).max(40)).max(8).optional().describe('ids of rules/ dnsHints the device looked up (connectivity checks, update services)'),
  firstSeen: z.number().int().nonnegative(),
  lastSeen: z.number().int().nonnegative(),
  status: z.enum(DEVICE_STATUSES),
  label: z.string().max(LABEL_MAX).nullable().describe('set by staff, e.g. 経理のパソコン'),
  linkedTo: Mac.nullable().describe('earlier (private) MAC of the same device'),
  maybeSameAs: Mac.nullable().describe('earlier device it may be, when signals were not enough'),
  alerted: z.boolean().describe('the one new-device alert has been raised'),
  pendingSince: z.number().int().nullable().describe('seen without DHCP: alert held until DHCP or hold time'),
  alertHeldUntil: z.number().int().optional().describe('an end-of-life or phone alert waits until then for the evidence the box will soon have (DNS lookups, a later DHCP request)'),
  alertKind: z.enum(['new_device_phone', 'new_device_eol', 'new_device_unknown']).optional().describe('what the new-device alert said: a reclassification that changes it corrects the alert'),
  maybeOf: z.array(Mac).max(8).optional().describe('later devices said to be "maybe the same" as this one (withdrawn when this one is seen in use again)'),
  linkEvidence: z.strictObject({ score: z.number().min(0).max(1), signals: z.array(z.string().max(24)).max(12) }).optional()
    .describe('private-MAC linking when the device was decided (shown with a held or corrected alert)'),
});
export type Device = z.infer<typeof DeviceSchema>;

export const AuditEntrySchema = z.strictObject({
  at: z.number().int(),
  actor: z.string().min(1).max(64).describe('staff login, "technician", or "policy"'),
  action: z.enum(['approve', 'quarantine', 'release', 'label', 'auto_quarantine', 'link', 'evict']),
  mac: Mac,
  from: z.enum(DEVICE_STATUSES).nullable(),
  to: z.enum(DEVICE_STATUSES).nullable(),
  detail: z.string().max(200).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const InventoryPolicySchema = z.strictObject({
  learningDays: z.number().min(0).max(90).default(7).describe('days from first start during which devices are learned silently'),
  autoQuarantine: z.boolean().default(false).describe('provider policy: quarantine new devices automatically'),
  maxDevices: z.number().int().min(10).max(100_000).default(5000),
  staleAfterDays: z.number().min(1).max(365).default(30).describe('unapproved devices unseen this long may be evicted'),
  holdMs: z.number().int().min(0).max(600_000).default(60_000).describe('how long to wait for DHCP before alerting on a device seen otherwise'),
  evidenceMs: z.number().int().min(0).max(600_000).default(60_000)
    .describe('how long an end-of-life or phone alert waits after the first DHCP packet for DNS lookups and later requests, unless decisive evidence comes first'),
  auditMax: z.number().int().min(10).max(100_000).default(1000).describe('audit entries kept in memory (the store keeps more)'),
});
export type InventoryPolicy = z.infer<typeof InventoryPolicySchema>;
export const DEFAULT_POLICY: InventoryPolicy = InventoryPolicySchema.parse({});

/** What a sensor saw. DHCP fields are present only for DHCP-derived observations. */
export interface Observation {
  mac: string;                 // normalised
  at: number;                  // event time
  source: 'dhcp' | 'lease' | 'fdb' | 'neigh' | 'nftset' | 'dns';
  /** source 'dns': the id of the rules' dnsHint a name this device looked up matched */
  dnsHint?: string | undefined;
  ipv4?: string | undefined;
  ipv6?: string | undefined;
  vendor: string | null;       // from the OUI lookup (adapter side)
  dhcp?: {
    hostname: string | null;
    prl: number[];
    vendorClass: string | null;
    clientId: string | null;
    /** Transaction id: the packets of one DHCP exchange share it. */
    xid?: number | undefined;
  } | undefined;
}

/** A request for an adapter (nft quarantine set) produced by a pure decision. */
export interface ActionRequest {
  type: 'quarantine_add' | 'quarantine_remove';
  mac: string;
}

export interface InventoryState {
  startedAt: number;                            // first start of the box (learning begins)
  devices: DeviceTable;
  audit: readonly AuditEntry[];                 // newest last, capped at policy.auditMax
  counters: { evicted: number; dropped: number };
}

/** An empty inventory whose learning period starts at `startedAt`. */
export function emptyInventory(startedAt: number): InventoryState {
  return { startedAt, devices: DeviceTable.empty(), audit: [], counters: { evicted: 0, dropped: 0 } };
}
