// The technician view's facts as rows of plain text: pure functions over snapshots the daemon
// already keeps (status, plan, conditions) and a few system facts read by the adapter in
// app/webSecure.ts. Nothing here reads the clock, files or processes.
// The row and section shapes match webui's TechRow / TechnicianFacts (structurally), so
// this folder does not import the web UI.
import type { NetworkPlan } from '../policy/network.js';

export interface TechRow {
  label: string;
  value: string;
  ok?: boolean | undefined;
}

export type TechSection = 'system' | 'certificate' | 'ports' | 'ruleset' | 'feeds' | 'sensors' | 'upstream';
export type TechnicianFacts = Record<TechSection, TechRow[]>;

/** A watched condition as the daemon keeps it (app/conditions). */
export interface Condition {
  id: string;
  ok: boolean;
  since: number;
  detail?: string | undefined;
}

export interface SystemFacts {
  version: string;
  node: string;
  kernel: string;
  daemonUptimeSeconds: number;
  boxUptimeSeconds: number;
  memTotalBytes: number;
  memFreeBytes: number;
  rssBytes: number;
  storageFreeBytes: number | null;
  storageTotalBytes: number | null;
  /** null: unknown (no time sync daemon reports). */
  timeSynchronized: boolean | null;
  timeSource: string;
}

export interface CertificateFacts {
  source: string;
  fingerprint256: string;
  spkiSha256: string;
  notAfter: number;
  subjectAltName: string;
  httpsPort: number;
}

export interface TechnicianInput {
  system: SystemFacts;
  certificate: CertificateFacts | null;
  plan: NetworkPlan | null;
  portRoles: Record<string, unknown>;
  ruleset: { renderedSha256: string | null; lastGoodSha256: string | null; lastGoodAt: number | null; lastApplyError: string | null; inKernel: boolean | null };
  conditions: Condition[];
  feeds: Record<string, unknown>;
  sensors: Record<string, unknown>;
  upstream: Record<string, unknown> | null;
}

const MB = 1024 * 1024;

/** Flattens a JSON-ish value into rows ("a.b" → value), at most `max` rows, depth 4. */
export function flatten(v: unknown, prefix = '', max = 60, depth = 0): TechRow[] {
  const out: TechRow[] = [];
  const walk = (x: unknown, p: string, d: number): void => {
    if (out.length >= max) return;
    if (x === null || x === undefined) out.push({ label: p, value: '—' });
    else if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out.push({ label: p, value: String(x).slice(0, 300) });
    else if (Array.isArray(x)) {
      if (x.every((e) => typeof e !== 'object' || e === null)) out.push({ label: p, value: x.map(String).join(', ').slice(0, 300) || '—' });
      else if (d >= 4) out.push({ label: p, value: `[${x.length}]` });
      else x.slice(0, 20).forEach((e, i) => walk(e, `${p}[${i}]`, d + 1));
    } else if (typeof x === 'object') {
      if (d >= 4) {
        out.push({ label: p, value: '{…}' });
        return;
      }
      for (const [k, e] of Object.entries(x)) walk(e, p ? `${p}.${k}` : k, d + 1);
    }
  };
  walk(v, prefix, depth);
  return out;
}

function duration(s: number): string {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${d ? `${d} d ` : ''}${h} h ${m} min`;
}

/** The rows of every section of the technician view. */
export function technicianFacts(i: TechnicianInput): TechnicianFacts {
  const s = i.system;
  const storage = s.storageFreeBytes === null || s.storageTotalBytes === null ? 'unknown'
    : `${Math.round(s.storageFreeBytes / MB)} MB free of ${Math.round(s.storageTotalBytes / MB)} MB`;
  const rate = (n: unknown): string => (typeof n === 'number' && s.daemonUptimeSeconds > 0 ? `${n} (${(n / (s.daemonUptimeSeconds / 60)).toFixed(1)} per minute on average)` : String(n));
  const counts = (i.sensors['counts'] ?? {}) as Record<string, unknown>;
  const lossConds = i.conditions.filter((c) => c.id.startsWith('loss:') || c.id.startsWith('sensor:'));
  return {
    system: [
      { label: 'version', value: s.version },
      { label: 'node', value: s.node },
      { label: 'kernel', value: s.kernel },
      { label: 'utmd uptime', value: duration(s.daemonUptimeSeconds) },
      { label: 'box uptime', value: duration(s.boxUptimeSeconds) },
      { label: 'memory', value: `${Math.round(s.memFreeBytes / MB)} MB free of ${Math.round(s.memTotalBytes / MB)} MB; utmd ${Math.round(s.rssBytes / MB)} MB` },
      { label: 'storage (state dir)', value: storage },
      { label: 'time sync', value: s.timeSource, ok: s.timeSynchronized ?? undefined },
    ],
    certificate: i.certificate ? [
      { label: 'SHA-256 fingerprint', value: i.certificate.fingerprint256 },
      { label: 'public key pin (SPKI SHA-256, base64)', value: i.certificate.spkiSha256 },
      { label: 'source', value: i.certificate.source },
      { label: 'valid until', value: new Date(i.certificate.notAfter).toISOString() },
      { label: 'names', value: i.certificate.subjectAltName || '—' },
      { label: 'HTTPS port', value: String(i.certificate.httpsPort) },
    ] : [],
    ports: i.plan ? [
      { label: 'mode', value: i.plan.mode },
      ...flatten(i.plan.ifaces, 'interfaces'),
      { label: 'bridge ports', value: i.plan.bridgePorts.join(', ') || '—' },
      { label: 'served ports', value: (i.plan.servedPorts ?? i.plan.ifaces.lan).join(', ') || '—' },
      { label: 'office prefixes', value: i.plan.lanPrefixes.join(', ') || '—' },
      { label: 'box addresses', value: i.plan.boxAddresses.join(', ') || '—' },
      { label: 'gateways', value: i.plan.gateways.join(', ') || '—' },
      { label: 'why this WAN port', value: i.plan.wanReason },
      ...flatten(i.portRoles, 'roles'),
      ...i.plan.problems.map((p) => ({ label: 'problem', value: p, ok: false })),
    ] : [],
    ruleset: [
      { label: 'rendered (SHA-256)', value: i.ruleset.renderedSha256 ?? '—' },
      { label: 'last-good on disk (SHA-256)', value: i.ruleset.lastGoodSha256 ?? '—', ok: i.ruleset.lastGoodSha256 !== null && i.ruleset.lastGoodSha256 === i.ruleset.renderedSha256 },
      { label: 'last-good saved', value: i.ruleset.lastGoodAt === null ? '—' : new Date(i.ruleset.lastGoodAt).toISOString() },
      { label: 'last apply error', value: i.ruleset.lastApplyError ?? '—', ok: i.ruleset.lastApplyError === null },
    ],
    feeds: [
      ...i.conditions.filter((c) => c.id.startsWith('feed:')).map((c) => ({ label: c.id.slice(5), value: c.detail ?? '', ok: c.ok })),
      ...flatten(i.feeds, 'blocklist', 40),
    ],
    sensors: [
      ...Object.entries(counts).map(([k, n]) => ({ label: `events: ${k}`, value: rate(n) })),
      ...lossConds.map((c) => ({ label: c.id, value: c.detail ?? '', ok: c.ok })),
      ...flatten(i.sensors['observation'] ?? null, 'observation', 30),
    ],
    upstream: i.upstream ? flatten(i.upstream, '', 40) : [],
  };
}
