// The curated DHCP fingerprint table (rules/fingerprints.json): schema, compilation and
// matching. An observed request is matched on its whole option 55 list (exact, or the same
// options reordered), its option 60 vendor class, and the registered MAC vendor. Every entry cites
// where its fact comes from; the table is data, not code.
import { z } from 'zod';

export const OS_FAMILIES = ['windows', 'macos', 'ios', 'apple', 'android', 'linux', 'embedded', 'unknown'] as const;
export const DEVICE_TYPES = ['pc', 'phone', 'tablet', 'printer', 'nas', 'iot', 'unknown'] as const;
export type OsFamily = (typeof OS_FAMILIES)[number];
export type DeviceType = (typeof DEVICE_TYPES)[number];

const OptionList = z.array(z.number().int().min(0).max(255)).min(1).max(255);
const Pattern = z.string().min(1).max(200).refine((p) => { try { new RegExp(p, 'i'); return true; } catch { return false; } }, 'not a valid regular expression');
const Sources = z.array(z.string().min(3)).min(1).describe('public sources of the fact (fingerbank, Satori, PRADS, RFCs, vendor docs)');

export const FingerprintEntrySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/).describe('stable identifier'),
  osFamily: z.enum(OS_FAMILIES),
  osName: z.string().min(1).max(60).describe('what staff see, e.g. "Windows XP"'),
  deviceType: z.enum(DEVICE_TYPES),
  eol: z.boolean().describe('operating system past end of support'),
  prl: z.array(OptionList).optional().describe('option 55 lists, in wire order'),
  vendorClass: z.array(z.strictObject({
    match: z.enum(['exact', 'prefix']), value: z.string().min(1).max(128),
    alone: z.boolean().optional().describe('the value names a maker or OS that only this kind of device sends (e.g. "BlackBerry OS"): it decides alone, like a whole list'),
  })).optional(),
  ouiVendors: z.array(Pattern).optional().describe('case-insensitive patterns on the IEEE organisation name'),
  sendsVendorClass: z.boolean().optional().describe('this OS always sends option 60: a request without one is evidence against it'),
  vendorClassOnly: z.array(z.string().min(1).max(64)).optional()
    .describe('when this OS sends option 60 it starts with one of these (never, when empty): another value is evidence against it'),
  source: Sources,
  note: z.string().optional(),
});

export const VendorClassRuleSchema = z.strictObject({
  prefix: z.string().min(1).max(64).describe('option 60 starts with this (case-sensitive)'),
  rulesOut: z.array(z.enum(OS_FAMILIES)).min(1).describe('operating systems whose DHCP client never sends it'),
  source: Sources,
});

export const HostnameHintSchema = z.strictObject({
  id: z.string(),
  pattern: Pattern,
  osFamily: z.enum(OS_FAMILIES),
  deviceType: z.enum(DEVICE_TYPES),
  currentRelease: z.strictObject({ osName: z.string().min(1).max(60) }).optional()
    .describe('only a supported release gives this name: it overrides an end-of-life list of the same family'),
  source: Sources,
});

export const DnsHintSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  names: z.array(z.string().regex(/^[a-z0-9.-]+$/).max(100)).min(1).describe('a name looked up is this name or ends with "." + it'),
  osFamily: z.enum(OS_FAMILIES),
  deviceType: z.enum(DEVICE_TYPES).optional().describe('only when the name says the kind of device (a console service)'),
  currentRelease: z.strictObject({ osName: z.string().min(1).max(60) }).optional()
    .describe('only a supported release looks this name up: it overrides an end-of-life list of the same family'),
  source: Sources,
});

export const SharedListSchema = z.strictObject({
  prl: OptionList,
  seenOn: z.array(z.string().min(1)).min(2).describe('the kinds of device public databases give this list to'),
  source: Sources,
});

export const FingerprintFileSchema = z.strictObject({
  version: z.literal(1),
  sources: z.record(z.string(), z.string()).describe('abbreviations used in source lines'),
  entries: z.array(FingerprintEntrySchema).min(1),
  hostnameHints: z.array(HostnameHintSchema),
  phoneVendors: z.strictObject({ patterns: z.array(Pattern), source: Sources, note: z.string().optional() }),
  vendorClassRules: z.array(VendorClassRuleSchema).default([]),
  dnsHints: z.array(DnsHintSchema).default([]).describe('names an operating system or device looks up by itself (connectivity checks, update and console services)'),
  sharedLists: z.array(SharedListSchema).default([])
    .describe('whole option-55 lists that public databases give to a phone or PC and to devices of another kind: alone they decide nothing'),
  applianceVendors: z.strictObject({ patterns: z.array(Pattern), source: Sources, note: z.string().optional() }).optional()
    .describe('registered vendors whose products on an office LAN are printers, network gear or consoles, not PCs or phones'),
});

export type FingerprintEntry = z.infer<typeof FingerprintEntrySchema>;
export type HostnameHint = z.infer<typeof HostnameHintSchema>;
export type VendorClassRule = z.infer<typeof VendorClassRuleSchema>;
export type DnsHint = z.infer<typeof DnsHintSchema>;
export type FingerprintFile = z.infer<typeof FingerprintFileSchema>;

export interface FingerprintTable {
  entries: readonly FingerprintEntry[];
  hints: ReadonlyArray<HostnameHint & { re: RegExp }>;
  phoneVendors: readonly RegExp[];
  vendorClassRules: readonly VendorClassRule[];
  dnsHints: readonly DnsHint[];
  /** a dnsHints name → its hint (the first listing it), for lookups by label suffix */
  dnsIndex: ReadonlyMap<string, DnsHint>;
  applianceVendors: readonly RegExp[];
  /** option-55 lists (joined with ",") that public sources give to devices of different kinds */
  shared: ReadonlySet<string>;
  /** option-55 list joined with "," → entries listing it exactly */
  byPrl: ReadonlyMap<string, readonly FingerprintEntry[]>;
  /** per entry id: its option lists with their sets, precomputed for similarity */
  prlSets: ReadonlyMap<string, ReadonlyArray<{ list: readonly number[]; set: ReadonlySet<number> }>>;
  vendorRes: ReadonlyMap<string, readonly RegExp[]>;
}

export class FingerprintTableError extends Error {}

/** Validates and compiles parsed JSON. Throws FingerprintTableError (with the zod error as
 *  cause) on a bad table, e.g. an entry without a source or a duplicate id. */
export function compileFingerprints(json: unknown): FingerprintTable {
  const parsed = FingerprintFileSchema.safeParse(json);
  if (!parsed.success) throw new FingerprintTableError('rules/fingerprints.json is invalid', { cause: parsed.error });
  const f = parsed.data;
  const ids = new Set<string>();
  const byPrl = new Map<string, FingerprintEntry[]>();
  const vendorRes = new Map<string, RegExp[]>();
  for (const e of f.entries) {
    if (ids.has(e.id)) throw new FingerprintTableError(`duplicate fingerprint id ${e.id}`);
    ids.add(e.id);
    for (const l of e.prl ?? []) {
      const k = l.join(',');
      byPrl.set(k, [...(byPrl.get(k) ?? []), e]);
    }
    vendorRes.set(e.id, (e.ouiVendors ?? []).map((p) => new RegExp(p, 'i')));
  }
  return {
    entries: f.entries,
    hints: f.hostnameHints.map((h) => ({ ...h, re: new RegExp(h.pattern, 'i') })),
    phoneVendors: f.phoneVendors.patterns.map((p) => new RegExp(p, 'i')),
    vendorClassRules: f.vendorClassRules,
    dnsHints: f.dnsHints,
    dnsIndex: dnsIndexOf(f.dnsHints),
    applianceVendors: (f.applianceVendors?.patterns ?? []).map((p) => new RegExp(p, 'i')),
    shared: new Set(f.sharedLists.map((l) => l.prl.join(','))),
    byPrl,
    prlSets: new Map(f.entries.map((e) => [e.id, (e.prl ?? []).map((list) => ({ list, set: new Set(list) }))])),
    vendorRes,
  };
}

function dnsIndexOf(hints: readonly DnsHint[]): Map<string, DnsHint> {
  const index = new Map<string, DnsHint>();
  for (const h of hints) for (const n of h.names) if (!index.has(n)) index.set(n, h);
  return index;
}

/** The DNS hint a looked-up name gives: the name, or a suffix of it at a label boundary, is a
 *  hint's name (case-insensitive, trailing dot ignored); null otherwise. One map lookup per label
 *  (every query on the office ports comes here), not a scan of the rules. Pure. */
export function dnsHintOf(table: FingerprintTable, name: string): DnsHint | null {
  let n = name.toLowerCase();
  if (n.endsWith('.')) n = n.slice(0, -1);
  for (let dot = -1; ;) {
    const h = table.dnsIndex.get(dot < 0 ? n : n.slice(dot + 1));
    if (h !== undefined) return h;
    dot = n.indexOf('.', dot + 1);
    if (dot < 0) return null;
  }
}

export interface FingerprintInput {
  prl: readonly number[];
  vendorClass: string | null;
  vendor: string | null; // IEEE organisation name, null for randomised MACs
}

export type MatchSignal = 'prl_exact' | 'prl_shared' | 'prl_similar' | 'vendor_class_exact' | 'vendor_class_prefix' | 'vendor_class_names' | 'oui_vendor';

export interface FingerprintMatch {
  entry: FingerprintEntry;
  score: number; // 0..1
  signals: MatchSignal[];
  /** other entries with the same score and as many signals: the evidence cannot choose */
  tiedWith: FingerprintEntry[];
}

/** Similarity of two option lists: shared options (Jaccard) weighted by how much of the
 *  shorter list keeps the same relative order. 1 for identical lists; below a Jaccard index of
 *  0.75 the order is not examined and a rough value (half the index) is returned. */
export function prlSimilarity(a: readonly number[], b: readonly number[]): number {
  return similarity(a, new Set(a), b, new Set(b));
}

function similarity(a: readonly number[], sa: ReadonlySet<number>, b: readonly number[], sb: ReadonlySet<number>): number {
  if (a.length === 0 || b.length === 0) return 0;
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  const jaccard = inter / (sa.size + sb.size - inter);
  if (jaccard < 0.75) return jaccard * 0.5; // below any threshold we use: skip the order check
  // Longest common subsequence over the shared options measures order agreement.
  const ca = a.filter((x) => sb.has(x)); const cb = b.filter((x) => sa.has(x));
  const prev = new Array<number>(cb.length + 1).fill(0);
  for (let i = 1; i <= ca.length; i++) {
    let diag = 0;
    for (let j = 1; j <= cb.length; j++) {
      const up = prev[j] ?? 0; // prev has cb.length + 1 zeros to start with
      prev[j] = ca[i - 1] === cb[j - 1] ? diag + 1 : Math.max(up, prev[j - 1] ?? 0);
      diag = up;
    }
  }
  const order = ca.length === 0 ? 0 : (prev[cb.length] ?? 0) / Math.max(ca.length, cb.length);
  return jaccard * (0.5 + 0.5 * order);
}

/** Scores one entry against an observation. The option-55 list counts only when it is the
 *  whole signature: an exact list, or the same options reordered (same length, similarity ≥ 0.75).
 *  A shorter or longer list never matches: short lists are shared by unrelated devices. */
function scoreEntry(table: FingerprintTable, e: FingerprintEntry, obs: FingerprintInput, exact: boolean, obsSet: ReadonlySet<number>): FingerprintMatch {
  const signals: MatchSignal[] = [];
  let score = 0;
  // A list public databases also give to another kind of device is a whole signature that
  // decides nothing alone (below the 0.5 gate): option 60, the vendor or the name must agree.
  if (exact && table.shared.has(obs.prl.join(','))) { score += 0.35; signals.push('prl_shared'); }
  else if (exact) { score += 0.6; signals.push('prl_exact'); }
  else if (obs.prl.length > 0 && e.prl) {
    let sim = 0;
    for (const { list, set } of table.prlSets.get(e.id) ?? []) {
      if (list.length === obs.prl.length && set.size === obsSet.size) sim = Math.max(sim, similarity(obs.prl, obsSet, list, set));
    }
    if (sim >= 0.75) { score += 0.45 * sim; signals.push('prl_similar'); }
  }
  if (obs.vendorClass !== null && e.vendorClass) {
    const vc = obs.vendorClass;
    // A value only this kind of device sends (its maker's or OS's name) weighs like a whole list.
    if (e.vendorClass.some((v) => v.alone === true && (v.match === 'exact' ? vc === v.value : vc.startsWith(v.value)))) { score += 0.6; signals.push('vendor_class_names'); }
    else if (e.vendorClass.some((v) => v.match === 'exact' && v.value === vc)) { score += 0.3; signals.push('vendor_class_exact'); }
    else if (e.vendorClass.some((v) => v.match === 'prefix' && vc.startsWith(v.value))) { score += 0.35; signals.push('vendor_class_prefix'); }
  }
  const vendor = obs.vendor;
  if (vendor !== null && (table.vendorRes.get(e.id) ?? []).some((re) => re.test(vendor))) {
    score += 0.3; signals.push('oui_vendor');
  }
  return { entry: e, score: Math.min(1, score), signals, tiedWith: [] };
}

/** Scores every entry against an observation and returns the best match, or null when
 *  nothing reaches 0.3. Entries with the same best score are all returned (tiedWith): the
 *  table's order never decides. Pure; never throws. */
export function matchFingerprint(table: FingerprintTable, obs: FingerprintInput): FingerprintMatch | null {
  const exact = new Set(table.byPrl.get(obs.prl.join(',')) ?? []);
  const obsSet = new Set(obs.prl);
  let best: FingerprintMatch[] = [];
  for (const e of table.entries) {
    const m = scoreEntry(table, e, obs, exact.has(e), obsSet);
    if (m.score < 0.3) continue;
    const top = best[0]?.score ?? 0;
    if (m.score > top + 1e-9) best = [m];
    else if (Math.abs(m.score - top) <= 1e-9) best.push(m);
  }
  if (best.length === 0) return null;
  // More independent signals is more evidence; after that, a tie stays a tie.
  const most = Math.max(...best.map((m) => m.signals.length));
  const kept = best.filter((m) => m.signals.length === most);
  const [first, ...ties] = kept;
  if (first === undefined) return null; // best is not empty, so neither is kept
  return { ...first, tiedWith: ties.map((m) => m.entry) };
}
