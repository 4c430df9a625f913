// The box's own HTTPS certificate: ECDSA P-256, made by openssl at first start with the box's
// addresses and names as subjectAltName and kept 0600 in the state dir; or the provider's one
// from the provisioning bundle (e.g. issued by its own CA), validated before use. Staff and
// technicians trust it by its SHA-256 fingerprint (utmctl and the technician view show it).
import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { chmod, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDir } from '../sys/files.js';
import { inWritableDir } from '../sys/writableDir.js';
import { isValidAddress } from '../net/ip.js';
import { normaliseDomain } from '../net/dnsName.js';

export const TLS_DIR = 'tls';
export const CERT_FILE = 'box.crt';
export const KEY_FILE = 'box.key';
const RENEW_BEFORE_MS = 30 * 86_400_000;
const VALID_DAYS = 3650;

/** A certificate or key that cannot be used; `reason` is a short English sentence. */
export class CertificateError extends Error {}

export interface BoxCertificate {
  certPem: string;
  keyPem: string;
  source: 'generated' | 'provisioning';
  /** SHA-256 of the certificate (DER), colon-separated upper-case hex, as browsers show it. */
  fingerprint256: string;
  /** SHA-256 of the public key (SPKI DER), base64: what pinning tools take. */
  spkiSha256: string;
  notAfter: number;
  subjectAltName: string;
}

export interface ProvidedCertificate {
  certificate: string;
  key: string;
  ca?: string | undefined;
}

/** The subjectAltName value for openssl: IP entries for addresses, DNS entries for names;
 *  invalid entries skipped, duplicates dropped, at most 32. Pure. */
export function subjectAltName(addresses: readonly string[], names: readonly string[]): string {
  const out: string[] = [];
  for (const a of addresses) {
    const t = a.replace(/%.*$/, '');
    if (isValidAddress(t)) out.push(`IP:${t}`);
  }
  for (const n of names) {
    const d = normaliseDomain(n);
    if (d) out.push(`DNS:${d}`);
  }
  return [...new Set(out)].slice(0, 32).join(',');
}

/** Facts of a certificate and key pair; throws CertificateError when they do not belong
 *  together, the certificate is not valid at `now` (or expires within a day), the key is
 *  weak, or `ca` is given and did not issue it. */
export function inspectCertificate(certPem: string, keyPem: string, now: number, ca?: string): Omit<BoxCertificate, 'source'> {
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    cert = new X509Certificate(certPem);
    key = createPrivateKey(keyPem);
  } catch (e) {
    throw new CertificateError('the certificate or key is not readable PEM', { cause: e });
  }
  if (!cert.checkPrivateKey(key)) throw new CertificateError('the key does not belong to the certificate');
  const notBefore = Date.parse(cert.validFrom);
  const notAfter = Date.parse(cert.validTo);
  if (!(notBefore <= now + 5 * 60_000)) throw new CertificateError(`the certificate is not valid before ${cert.validFrom}`);
  if (!(notAfter > now + 86_400_000)) throw new CertificateError(`the certificate expired or expires within a day (${cert.validTo})`);
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa' ? (d?.modulusLength ?? 0) < 2048 : key.asymmetricKeyType !== 'ec' || !['prime256v1', 'secp384r1'].includes(d?.namedCurve ?? '')) {
    throw new CertificateError('the key must be ECDSA P-256/P-384 or RSA of at least 2048 bits');
  }
  if (ca !== undefined) {
    let issuer: X509Certificate;
    try {
      issuer = new X509Certificate(ca);
    } catch (e) {
      throw new CertificateError('the CA certificate is not readable PEM', { cause: e });
    }
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) throw new CertificateError('the certificate was not issued by the given CA');
  }
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return {
    certPem, keyPem, notAfter,
    fingerprint256: cert.fingerprint256,
    spkiSha256: createHash('sha256').update(spki).digest('base64'),
    subjectAltName: cert.subjectAltName ?? '',
  };
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 30_000 }, (e, _out, stderr) => (e ? reject(new CertificateError(`openssl failed: ${stderr.trim().slice(0, 300) || e.message}`, { cause: e })) : resolve()));
  });
}

/** Makes a self-signed ECDSA P-256 certificate for `san` into dir (key 0600), atomically. */
export async function generateCertificate(dir: string, san: string, commonName = 'otasuke-utm'): Promise<void> {
  await makeDir(dir);
  const tmp = await mkdtemp(join(dir, '.new-'));
  try {
    const key = join(tmp, KEY_FILE);
    const crt = join(tmp, CERT_FILE);
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', crt, '-days', String(VALID_DAYS), '-subj', `/CN=${commonName}`,
      ...(san ? ['-addext', `subjectAltName=${san}`] : []),
      '-addext', 'basicConstraints=critical,CA:FALSE',
      '-addext', 'keyUsage=critical,digitalSignature',
      '-addext', 'extendedKeyUsage=serverAuth',
    ]);
    await chmod(key, 0o600);
    await chmod(crt, 0o600);
    await rename(key, join(dir, KEY_FILE));
    await rename(crt, join(dir, CERT_FILE));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function readPair(dir: string): Promise<{ cert: string; key: string } | null> {
  try {
    return { cert: await readFile(join(dir, CERT_FILE), 'utf8'), key: await readFile(join(dir, KEY_FILE), 'utf8') };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export interface LoadCertificateOptions {
  stateDir: string;
  now: number;
  /** The bundle's certificate, if any. */
  provided?: ProvidedCertificate | undefined;
  /** For a generated certificate: the box's addresses and names now. */
  addresses: readonly string[];
  names: readonly string[];
  /** Told when the bundle's certificate is refused (the generated one is used instead). */
  onRefused?: ((reason: string) => void) | undefined;
  /** Where a generated certificate goes when the state dir takes no writes (full, read-only
   *  flash): the runtime dir; a new one (another fingerprint) at each start meanwhile. */
  fallbackDir?: string | undefined;
  /** Told when it went there. */
  onFallback?: ((dir: string, e: unknown) => void) | undefined;
}

/** The certificate to serve: the bundle's when it is valid, else the kept generated one,
 *  made anew when missing, unreadable or within 30 days of expiry. The generated one is
 *  not remade when addresses change, so its fingerprint stays what the technician noted. */
export async function loadBoxCertificate(o: LoadCertificateOptions): Promise<BoxCertificate> {
  if (o.provided) {
    try {
      return { ...inspectCertificate(o.provided.certificate, o.provided.key, o.now, o.provided.ca), source: 'provisioning' };
    } catch (e) {
      if (!(e instanceof CertificateError)) throw e;
      o.onRefused?.(e.message);
    }
  }
  const dir = join(o.stateDir, TLS_DIR);
  const kept = await readPair(dir);
  if (kept) {
    try {
      const c = inspectCertificate(kept.cert, kept.key, o.now);
      if (c.notAfter - o.now > RENEW_BEFORE_MS) return { ...c, source: 'generated' };
    } catch (e) {
      if (!(e instanceof CertificateError)) throw e;
    }
  }
  const made = await inWritableDir([dir, ...(o.fallbackDir ? [join(o.fallbackDir, TLS_DIR)] : [])], async (d) => {
    await generateCertificate(d, subjectAltName(o.addresses, o.names));
    return d;
  }, o.onFallback);
  const fresh = await readPair(made);
  if (!fresh) throw new CertificateError('the generated certificate was not found');
  return { ...inspectCertificate(fresh.cert, fresh.key, o.now), source: 'generated' };
}
