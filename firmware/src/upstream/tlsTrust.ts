// How the box decides to trust the collector on a TLS link: the provisioned CA (chain and
// validity checked by OpenSSL), and/or a pinned SPKI SHA-256 (then validity is checked here),
// and always the host name (the provisioned serverName, else the collector's address) against
// the certificate. TLS 1.2 or later only. Nothing is written before these checks pass.
import { createHash, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { splitCertificates, type ResolvedUpstream } from '../config/upstream.js';
import { UpstreamLinkError } from './link.js';

/** Options for tls.connect: our own checks run after the handshake (see verifyPeer). */
export function tlsOptions(u: ResolvedUpstream): tls.ConnectionOptions {
  const name = u.serverName ?? u.host;
  return {
    host: u.host,
    port: u.port,
    servername: isIP(name) ? undefined : name, // SNI carries names only
    ca: u.caPem ? splitCertificates(u.caPem) : undefined,
    cert: u.clientCertPem,
    key: u.clientKeyPem,
    minVersion: 'TLSv1.2',
    // verifyPeer decides, with OpenSSL's chain verdict as one input; a refused peer gets no data.
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  };
}

/** SHA-256 (hex) of a certificate's SubjectPublicKeyInfo. */
export function spkiSha256(der: Buffer): string {
  const spki = new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex');
}

/** The SHA-256 fingerprint of the peer certificate (hex, no colons), or null. */
export function peerFingerprint(s: tls.TLSSocket): string | null {
  const c = s.getPeerCertificate();
  return c?.raw ? createHash('sha256').update(c.raw).digest('hex') : null;
}

/** Throws UpstreamLinkError unless the connected peer is the provisioned collector. */
export function verifyPeer(u: ResolvedUpstream, s: tls.TLSSocket, now: number): void {
  const cert = s.getPeerCertificate(true);
  if (!cert?.raw) throw new UpstreamLinkError('the collector sent no certificate', 'NO_PEER_CERT');
  if (u.caPem !== undefined && !s.authorized) {
    const reason = String(s.authorizationError ?? 'unknown');
    const words: Record<string, string> = {
      CERT_HAS_EXPIRED: 'the collector\'s certificate has expired',
      CERT_NOT_YET_VALID: 'the collector\'s certificate is not valid yet',
      UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the collector\'s certificate is not signed by the provisioned CA',
      UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the collector\'s certificate is not signed by the provisioned CA',
      SELF_SIGNED_CERT_IN_CHAIN: 'the collector\'s certificate chains to a CA that was not provisioned',
      DEPTH_ZERO_SELF_SIGNED_CERT: 'the collector\'s certificate is self-signed and not provisioned',
    };
    throw new UpstreamLinkError(`${words[reason] ?? 'the collector\'s certificate is not trusted'} (${reason})`, reason);
  }
  if (u.pinSha256.length) {
    const got = spkiSha256(cert.raw);
    if (!u.pinSha256.includes(got)) throw new UpstreamLinkError(`the collector's public key ${got} matches no provisioned pin`, 'PIN_MISMATCH');
    if (u.caPem === undefined) {
      const x = new X509Certificate(cert.raw);
      if (Date.parse(x.validTo) < now) throw new UpstreamLinkError(`the collector's certificate has expired (${x.validTo})`, 'CERT_HAS_EXPIRED');
      if (Date.parse(x.validFrom) > now) throw new UpstreamLinkError(`the collector's certificate is not valid yet (${x.validFrom})`, 'CERT_NOT_YET_VALID');
    }
  }
  const name = u.serverName ?? u.host;
  const idErr = tls.checkServerIdentity(name, cert);
  if (idErr) throw new UpstreamLinkError(`the collector's certificate is not for ${name} (${idErr.message.slice(0, 160)})`, 'ERR_TLS_CERT_ALTNAME_INVALID');
}
