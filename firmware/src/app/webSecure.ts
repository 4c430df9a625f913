// Adapters for the secure page and the technician view: the box's certificate (from the bundle
// or made at first start), the page's allowed host names, system facts, ruleset hashes and the
// diagnostics archive. The decisions live in web/ (pure); this file reads the world.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { freemem, hostname, release, tmpdir, totalmem, uptime } from 'node:os';
import { join } from 'node:path';
import type { TechnicianFacts } from '../../../webui/src/deps/deps.js';
import { SOCKET_NAME } from '../control/protocol.js';
import { writeDiag } from '../diag/collect.js';
import { LAST_GOOD_FILE, scratchDir } from '../sys/paths.js';
import { loadBoxCertificate, type BoxCertificate } from '../web/certificate.js';
import { HostNames } from '../web/hostNamesReader.js';
import { technicianFacts, type SystemFacts } from '../web/technician.js';
import type { Config } from '../config/schema.js';
import type { Provisioning } from '../config/provisioning.js';
import type { NftDocument } from '../nft/json.js';
import type { NetworkPlan } from '../policy/network.js';
import type { PlannerPort } from './adapters.js';
import type { Conditions } from './conditions.js';
import type { Logger } from './log.js';

/** What the secure page and the technician view read from the running daemon. */
export interface SecurePorts {
  stateDir: string;
  config: Config;
  provisioning: Provisioning | null;
  now: () => number;
  startedAt: number;
  log: Logger;
  conditions: Conditions;
  plan: () => NetworkPlan | null;
  planner: Pick<PlannerPort, 'status'>;
  /** The policy in force, rendered (throws before the first apply). */
  render: () => NftDocument;
  lastApplyError: () => string | null;
  /** What `utmctl status` shows. */
  status: () => Record<string, unknown>;
}

/** The names the generated certificate carries besides the addresses. */
function certNames(d: SecurePorts): string[] {
  const r = d.config.router;
  const h = hostname();
  return [h, r.boxName, `${r.boxName}.${r.localDomain}`, 'localhost'];
}

/** The certificate to serve; a refused bundle certificate becomes a condition. */
export async function loadCertificate(d: SecurePorts): Promise<BoxCertificate> {
  const tls = d.provisioning?.tls;
  const cert = await loadBoxCertificate({
    stateDir: d.stateDir, now: d.now(), provided: tls,
    addresses: d.plan()?.boxAddresses ?? [], names: certNames(d),
    onRefused: (reason) => {
      d.log.error(`the provisioning bundle's certificate is refused (${reason}); the box's own certificate is used`);
      d.conditions.set('tls', false, `bundle certificate refused: ${reason}; using the box's own`);
    },
    fallbackDir: scratchDir(d.stateDir),
    onFallback: (dir, e) => d.log.error(`the box's certificate cannot be kept in ${dir}; a new one at each start until it can`, e),
  });
  if (!tls || cert.source === 'provisioning') d.conditions.set('tls', true, `${cert.source} certificate ${cert.fingerprint256}`);
  return cert;
}

/** Keeps the page's allowed host names current (addresses from the live plan). */
export function hostNames(d: SecurePorts): HostNames {
  const r = d.config.router;
  return new HostNames({
    addresses: () => d.plan()?.boxAddresses ?? [],
    boxName: r.boxName, localDomain: r.localDomain,
    onError: (e) => d.log.error('host names for the page could not be read', e),
  });
}

function version(): string {
  try {
    const rel = readFileSync('/etc/otasuke-release', 'utf8').slice(0, 4096);
    const m = /^VERSION(?:_ID)?="?([^"\n]+)"?$/m.exec(rel);
    if (m?.[1]) return m[1];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return 'development (no /etc/otasuke-release)';
}

function systemFacts(d: SecurePorts): SystemFacts {
  let free: number | null = null;
  let total: number | null = null;
  try {
    const s = statfsSync(d.stateDir);
    free = s.bavail * s.bsize;
    total = s.blocks * s.bsize;
  } catch (e) {
    d.log.error('statfs of the state dir failed', e);
  }
  // systemd-timesyncd marks a synchronised clock with this file; chrony users see "unknown".
  const synced = existsSync('/run/systemd/timesync/synchronized') ? true : existsSync('/run/systemd/timesync') ? false : null;
  return {
    version: version(), node: process.version, kernel: release(),
    daemonUptimeSeconds: Math.round((d.now() - d.startedAt) / 1000), boxUptimeSeconds: Math.round(uptime()),
    memTotalBytes: totalmem(), memFreeBytes: freemem(), rssBytes: process.memoryUsage().rss,
    storageFreeBytes: free, storageTotalBytes: total,
    timeSynchronized: synced,
    timeSource: synced === null ? 'unknown (no systemd-timesyncd state)' : synced ? 'synchronised (systemd-timesyncd)' : 'not synchronised yet (systemd-timesyncd)',
  };
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Builds the technician facts; the ruleset hashes are recomputed at most every 30 s
 *  (the rendered document can hold a million blocklist entries). */
export function technicianSource(d: SecurePorts, cert: () => BoxCertificate | null, httpsPort: number): () => TechnicianFacts {
  let cached: { at: number; rendered: string | null; lastGood: string | null; lastGoodAt: number | null } | null = null;
  const hashes = () => {
    const now = d.now();
    if (cached && now - cached.at < 30_000) return cached;
    let rendered: string | null = null;
    try {
      rendered = d.plan() ? sha256(JSON.stringify(d.render())) : null;
    } catch (e) {
      d.log.error('the ruleset could not be rendered for the technician view', e);
    }
    const file = join(d.stateDir, LAST_GOOD_FILE);
    let lastGood: string | null = null;
    let lastGoodAt: number | null = null;
    try {
      lastGood = sha256(JSON.stringify(JSON.parse(readFileSync(file, 'utf8')) as unknown));
      lastGoodAt = statSync(file).mtimeMs;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && !(e instanceof SyntaxError)) throw e;
    }
    cached = { at: now, rendered, lastGood, lastGoodAt };
    return cached;
  };
  return () => {
    const st = d.status();
    const h = hashes();
    const c = cert();
    const features = (st['features'] ?? {}) as Record<string, unknown>;
    return technicianFacts({
      system: systemFacts(d),
      certificate: c ? { source: c.source, fingerprint256: c.fingerprint256, spkiSha256: c.spkiSha256, notAfter: c.notAfter, subjectAltName: c.subjectAltName, httpsPort } : null,
      plan: d.plan(),
      portRoles: d.planner.status(),
      ruleset: { renderedSha256: h.rendered, lastGoodSha256: h.lastGood, lastGoodAt: h.lastGoodAt, lastApplyError: d.lastApplyError(), inKernel: null },
      conditions: d.conditions.list(),
      feeds: (features['blocklist'] ?? {}) as Record<string, unknown>,
      sensors: (st['sensors'] ?? {}) as Record<string, unknown>,
      upstream: (st['upstream'] ?? null) as Record<string, unknown> | null,
    });
  };
}

/** The diagnostics archive (firmware/src/diag), built in a private temporary folder. */
export async function diagnosticsArchive(d: SecurePorts): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'utm-webdiag-'));
  try {
    const out = join(dir, 'diag.tar.gz');
    await writeDiag({ stateDir: d.stateDir, sockets: [join(d.stateDir, SOCKET_NAME), join(scratchDir(d.stateDir), SOCKET_NAME)], out, etcDir: '/etc/otasuke-utm' });
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
