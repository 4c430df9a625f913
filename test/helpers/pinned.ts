// HTTPS requests that trust the box's certificate by its SHA-256 fingerprint (as a
// technician compares it with `utmctl web cert`), and plain HTTP requests, both from a chosen
// local address. node:https / node:http, so Host and the source address can be set.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  setCookie: string[];
  body: string;
  /** The server certificate's SHA-256 fingerprint (HTTPS only). */
  fingerprint256: string | null;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** A form body (application/x-www-form-urlencoded). */
  form?: Record<string, string>;
  localAddress?: string;
  /** HTTPS: the expected certificate fingerprint; the request fails on any other. */
  fingerprint256?: string;
}

/** Sends one request; over HTTPS refuses a server whose certificate is not the pinned one. */
export function send(url: string, o: RequestOptions = {}): Promise<Answer> {
  const u = new URL(url);
  const body = o.form ? new URLSearchParams(o.form).toString() : undefined;
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (body !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const tls = u.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const opts = { method: o.method ?? (body ? 'POST' : 'GET'), headers, localAddress: o.localAddress, agent: false as const };
    const req = tls
      // The chain is not checked by a CA: the fingerprint below is the trust decision.
      ? httpsRequest(url, { ...opts, rejectUnauthorized: false })
      : httpRequest(url, opts);
    let fingerprint: string | null = null;
    req.on('socket', (s) => {
      if (!tls) return;
      s.once('secureConnect', () => {
        fingerprint = (s as TLSSocket).getPeerCertificate().fingerprint256;
        if (o.fingerprint256 !== undefined && fingerprint !== o.fingerprint256) req.destroy(new Error(`certificate fingerprint ${fingerprint} is not the pinned ${o.fingerprint256}`));
      });
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, setCookie: res.headers['set-cookie'] ?? [], body: text, fingerprint256: fingerprint }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
