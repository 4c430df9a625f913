// The collector of the monitoring centre: where upstream messages go and how (transport,
// TLS trust, client certificate). One schema for the provisioning bundle and the local
// config's override, and one pure resolver that picks the transport and port. Provisioning is
// hostile input: PEMs are parsed, fingerprints and host names checked, with clear messages.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { IpAddress, Port } from './fields.js';
import { errorMessage } from '../errors/errorText.js';

export const TRANSPORTS = ['tls', 'relp', 'relp-tls', 'tcp', 'udp'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** Default port per transport: RFC 5425 (6514), rsyslog's usual imrelp port (2514), RFC 5426 (514). */
export const DEFAULT_PORT: Record<Transport, number> = { tls: 6514, relp: 2514, 'relp-tls': 2514, tcp: 514, udp: 514 };

const CERT_RE = /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]{64,16384}-----END CERTIFICATE-----\r?\n?$/;
const PEM_BLOCKS = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\r?\n?/g;

/** Splits a PEM bundle into its certificates; undefined when it holds anything else. */
export function splitCertificates(pem: string): string[] | undefined {
  const blocks = pem.match(PEM_BLOCKS) ?? [];
  if (!blocks.length || blocks.join('').replace(/\s/g, '') !== pem.replace(/\s/g, '')) return undefined;
  return blocks;
}

/** One or more PEM certificates (the collector's CA, or this box's client certificate chain). */
export const PemCertificates = z
  .string()
  .max(65_536)
  .superRefine((s, ctx) => {
    const blocks = splitCertificates(s.trim());
    if (!blocks) return void ctx.addIssue({ code: 'custom', message: 'PEM certificates only (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----), nothing else' });
    blocks.forEach((b, i) => {
      if (!CERT_RE.test(b)) return void ctx.addIssue({ code: 'custom', message: `certificate ${i + 1}: not a well-formed PEM block` });
      try {
        new X509Certificate(b);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: `certificate ${i + 1}: not a readable X.509 certificate (${errorMessage(e).slice(0, 80)})` });
      }
    });
  });

/** A PEM private key (PKCS#8, RSA or EC), unencrypted: the box has nobody to type a passphrase. */
export const PemPrivateKey = z
  .string()
  .max(16_384)
  .superRefine((s, ctx) => {
    if (!/^-----BEGIN (RSA |EC )?PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END (RSA |EC )?PRIVATE KEY-----\r?\n?$/.test(s.trim() + '\n')) {
      return void ctx.addIssue({ code: 'custom', message: 'one unencrypted PEM private key (-----BEGIN PRIVATE KEY----- …)' });
    }
    try {
      createPrivateKey(s);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `not a readable private key (${errorMessage(e).slice(0, 80)})` });
    }
  });

/** SHA-256 of the collector certificate's SubjectPublicKeyInfo: 64 hex digits (colons allowed) or
 *  `sha256/BASE64` (HPKP style). Normalised to 64 lower-case hex digits. */
export const SpkiSha256 = z
  .string()
  .max(120)
  .transform((s, ctx) => {
    const t = s.trim();
    const hex = t.replace(/:/g, '').toLowerCase();
    if (/^[0-9a-f]{64}$/.test(hex)) return hex;
    const m = /^sha256\/([A-Za-z0-9+/]{43}=)$/.exec(t);
    if (m?.[1]) return Buffer.from(m[1], 'base64').toString('hex');
    ctx.addIssue({ code: 'custom', message: 'a SHA-256 SPKI fingerprint: 64 hex digits (colons allowed) or sha256/BASE64' });
    return z.NEVER;
  });

/** A DNS host name (RFC 1123 labels), the name on the collector's certificate. */
export const HostName = z
  .string()
  .max(253)
  .regex(/^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/, 'a DNS host name such as collector.example.net')
  .transform((s) => s.replace(/\.$/, '').toLowerCase());

const TLS_TRANSPORTS: readonly Transport[] = ['tls', 'relp-tls'];

/** The collector, as the provisioning bundle or the local config gives it. */
export const UpstreamTargetSchema = z
  .strictObject({
    host: IpAddress.describe('Collector address of the monitoring centre'),
    port: Port.optional().describe('Collector port. Default by transport: tls 6514, relp and relp-tls 2514, tcp and udp 514'),
    transport: z
      .enum(TRANSPORTS)
      .optional()
      .describe('tls (RFC 5425, default when a CA or pin is given), relp or relp-tls (acknowledged per message), tcp (closed networks), udp (RFC 5426, default otherwise; cannot confirm delivery)'),
    serverName: HostName.optional().describe('Name the collector\'s certificate must carry (also sent as SNI). Default: the address in host'),
    caPem: PemCertificates.optional().describe('CA certificate(s) (PEM) the collector\'s certificate must chain to'),
    pinSha256: z.array(SpkiSha256).max(8).optional().describe('SHA-256 fingerprints of the collector certificate\'s public key (SPKI); any one must match. With caPem both must hold'),
    clientCertPem: PemCertificates.optional().describe('This box\'s client certificate (PEM, leaf first) for collectors that require one'),
    clientKeyPem: PemPrivateKey.optional().describe('Private key of clientCertPem (PEM, unencrypted)'),
  })
  .superRefine((u, ctx) => {
    if ((u.clientCertPem === undefined) !== (u.clientKeyPem === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['clientKeyPem'], message: 'clientCertPem and clientKeyPem come together' });
    }
    const hasTrust = u.caPem !== undefined || (u.pinSha256?.length ?? 0) > 0;
    if (u.transport && TLS_TRANSPORTS.includes(u.transport) && !hasTrust) {
      ctx.addIssue({ code: 'custom', path: ['transport'], message: `${u.transport} needs caPem or pinSha256 to know the collector` });
    }
    if (u.transport === 'udp' && hasTrust) {
      ctx.addIssue({ code: 'custom', path: ['transport'], message: 'udp cannot use the CA or pin given: choose tls or relp-tls, or remove them' });
    }
  });

export type UpstreamTarget = z.output<typeof UpstreamTargetSchema>;

/** The collector with its transport and port decided. */
export interface ResolvedUpstream {
  transport: Transport;
  host: string;
  port: number;
  serverName: string | undefined;
  caPem: string | undefined;
  pinSha256: string[];
  clientCertPem: string | undefined;
  clientKeyPem: string | undefined;
}

/** Picks the transport (explicit, else tls when a CA or pin exists, else udp) and the port (pure). */
export function resolveUpstream(t: UpstreamTarget): ResolvedUpstream {
  const pins = t.pinSha256 ?? [];
  const transport: Transport = t.transport ?? (t.caPem !== undefined || pins.length ? 'tls' : 'udp');
  return {
    transport, host: t.host, port: t.port ?? DEFAULT_PORT[transport], serverName: t.serverName,
    caPem: t.caPem, pinSha256: pins, clientCertPem: t.clientCertPem, clientKeyPem: t.clientKeyPem,
  };
}

/** True for transports that run over TLS. */
export function usesTls(t: Transport): boolean {
  return TLS_TRANSPORTS.includes(t);
}
