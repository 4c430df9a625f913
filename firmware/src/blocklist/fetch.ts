// HTTP(S) adapter that downloads one feed URL with node:http/https: an overall deadline,
// a byte limit enforced while streaming (aborts at the first byte too many), conditional
// requests (ETag / If-Modified-Since; 304 → unchanged), at most a few redirects (never
// https → http), and an optional pinned SHA-256 of the body (the only digest taken here: a
// refresh takes the others while nft works, bodyDigest). It reports the addresses it
// resolved and connected to (`peers`, on success and on failure): the guard protects them, so
// a feed listing its own download server cannot stop itself from ever refreshing.
import { createHash } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import http from 'node:http';
import https from 'node:https';

export type FeedFetchFailure =
  | 'bad_url'
  | 'timeout'
  | 'too_large'
  | 'http_status'
  | 'redirect'
  | 'network'
  | 'checksum_mismatch';

/** Thrown by fetchFeed; branch on `reason`. */
export class FeedFetchError extends Error {
  override readonly name = 'FeedFetchError';
  /** Addresses resolved or connected to before it failed (filled in by fetchFeed). */
  peers: string[] = [];
  constructor(readonly reason: FeedFetchFailure, message: string, readonly httpStatus?: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface FeedFetchRequest {
  url: string;
  /** Whole-request deadline in ms, redirects included. */
  timeoutMs: number;
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  /** Validators from the last successful download. */
  etag?: string | undefined;
  lastModified?: string | undefined;
  /** Pinned lower-case hex SHA-256 of the body; a mismatch throws `checksum_mismatch`. */
  sha256?: string | undefined;
  userAgent?: string;
  /** How many redirects to follow (default 3). */
  maxRedirects?: number;
  /** Called with a 200 answer's declared length (Content-Length), before its body arrives. */
  sized?: ((bytes: number) => void) | undefined;
  /** Called as a body of declared length arrives: the buffer it is copied into (of that
   *  length; a redirect's answer gets another) and how many of its first bytes are in. */
  received?: ((body: Buffer, bytes: number) => void) | undefined;
}

/** `peers`: every address the download resolved its hosts to or connected to (redirects
 *  included). `sha256`: only when the request pinned one (and it matched). */
export type FeedFetchResult =
  | { status: 'unchanged'; peers?: string[] }
  | { status: 'ok'; body: Buffer; sha256?: string | undefined; etag?: string; lastModified?: string; finalUrl: string; peers?: string[] };

/** The SHA-256 of a body, lower-case hex. */
export function bodyDigest(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

/** A body whose end only the closing of the connection marks (no Content-Length, not chunked: an
 *  HTTP/1.0-style answer). A server that dies mid-body then looks like one that finished. */
function closeDelimited(h: http.IncomingHttpHeaders): boolean {
  return h['content-length'] === undefined && h['transfer-encoding'] === undefined;
}

/** Whether a close-delimited body was cut: every feed format ends a record with a line break,
 *  a JSON document with its closing bracket (trailing white space allowed). An empty body is
 *  left to the feed's own checks. */
function cutMidLine(chunks: readonly Buffer[]): boolean {
  for (const c of [...chunks].reverse()) {
    for (let j = c.length - 1; j >= 0; j--) {
      const b = c[j];
      if (b === 0x0a || b === 0x5d || b === 0x7d) return false; // \n ] }
      if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return true;
    }
  }
  return false;
}

/** Download one URL; resolves ok/unchanged, rejects with FeedFetchError. */
export function fetchFeed(req: FeedFetchRequest): Promise<FeedFetchResult> {
  // a monotonic deadline: the wall clock may be set while a download runs (NTP at boot)
  const deadline = performance.now() + req.timeoutMs;
  const maxRedirects = req.maxRedirects ?? 3;
  const peers = new Set<string>();
  const hostOf = (url: string): string | null => {
    try {
      return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
    } catch {
      return null; // attempt() reports the bad URL
    }
  };
  /** Records what the host name resolves to now; the connection may use any of them. */
  const resolveFirst = async (url: string): Promise<void> => {
    const host = hostOf(url);
    if (!host || isIP(host)) return;
    try {
      const remaining = Math.max(1, deadline - performance.now());
      let timer: NodeJS.Timeout | undefined;
      const all = await Promise.race([
        lookup(host, { all: true, verbatim: true }),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('lookup timeout')), remaining); }),
      ]).finally(() => clearTimeout(timer));
      for (const a of all) peers.add(a.address);
    } catch {
      return; // the request itself fails with a proper FeedFetchError
    }
  };

  const attempt = (url: string, redirectsLeft: number): Promise<FeedFetchResult> =>
    new Promise((resolve, reject) => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch (err) {
        reject(new FeedFetchError('bad_url', 'invalid URL', undefined, { cause: err }));
        return;
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        reject(new FeedFetchError('bad_url', `unsupported scheme ${parsed.protocol}`));
        return;
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        reject(new FeedFetchError('timeout', 'deadline passed before request'));
        return;
      }
      const headers: Record<string, string> = { 'user-agent': req.userAgent ?? 'otasuke-utm', accept: '*/*' };
      if (req.etag) headers['if-none-match'] = req.etag;
      if (req.lastModified) headers['if-modified-since'] = req.lastModified;
      const lib = parsed.protocol === 'https:' ? https : http;
      let settled = false;
      const fail = (e: FeedFetchError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.destroy();
        reject(e);
      };
      // agent: false → a fresh connection per download; a kept-alive socket the server already
      // closed would fail the request for nothing (feeds are fetched hours apart anyway)
      const request = lib.get(parsed, { headers, agent: false }, (res) => {
        if (res.socket.remoteAddress) peers.add(res.socket.remoteAddress);
        const status = res.statusCode ?? 0;
        if (status === 304) {
          res.resume();
          settled = true;
          clearTimeout(timer);
          resolve({ status: 'unchanged' });
          return;
        }
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          let next: URL;
          try {
            next = new URL(res.headers.location, parsed);
          } catch (err) {
            fail(new FeedFetchError('redirect', 'bad redirect location', status, { cause: err }));
            return;
          }
          if (redirectsLeft <= 0) return fail(new FeedFetchError('redirect', 'too many redirects', status));
          if (parsed.protocol === 'https:' && next.protocol !== 'https:') return fail(new FeedFetchError('redirect', 'refusing https → http redirect', status));
          settled = true;
          clearTimeout(timer);
          resolveFirst(next.href).then(() => attempt(next.href, redirectsLeft - 1)).then(resolve, reject);
          return;
        }
        if (status !== 200) {
          res.resume();
          return fail(new FeedFetchError('http_status', `HTTP ${status}`, status));
        }
        const declared = Number(headerValue(res.headers['content-length']));
        if (Number.isFinite(declared) && declared > req.maxBytes) {
          return fail(new FeedFetchError('too_large', `content-length ${declared} > ${req.maxBytes}`, status));
        }
        if (Number.isSafeInteger(declared)) req.sized?.(declared);
        // With a declared length the body is copied into place as it arrives (while the next
        // chunk is on its way), not joined after the last one: at 15 MB the join took ~15 ms
        // between the download and the parse.
        const whole = Number.isSafeInteger(declared) && declared > 0 ? Buffer.allocUnsafe(declared) : null;
        const chunks: Buffer[] = [];
        let bytes = 0;
        // a pinned digest is taken as the body arrives; any other later, off the download's path
        const hash = req.sha256 ? createHash('sha256') : null;
        res.on('data', (chunk: Buffer) => {
          if (whole && bytes + chunk.length > whole.length) return fail(new FeedFetchError('network', `body longer than its content-length ${declared}`, status));
          if (whole) chunk.copy(whole, bytes);
          else chunks.push(chunk);
          bytes += chunk.length;
          if (bytes > req.maxBytes) return fail(new FeedFetchError('too_large', `body passed ${req.maxBytes} bytes`, status));
          hash?.update(chunk);
          if (whole) req.received?.(whole, bytes);
        });
        res.on('error', (err) => fail(new FeedFetchError('network', 'response error', status, { cause: err })));
        res.on('end', () => {
          if (settled) return;
          if (!res.complete) return fail(new FeedFetchError('network', 'connection closed mid-body', status));
          if (whole && bytes !== whole.length) return fail(new FeedFetchError('network', `body of ${bytes} bytes, content-length ${declared}`, status));
          if (closeDelimited(res.headers) && cutMidLine(chunks)) {
            return fail(new FeedFetchError('network', 'connection closed mid-line (the server sent no length)', status));
          }
          const sha256 = hash?.digest('hex');
          if (req.sha256 && req.sha256.toLowerCase() !== sha256) {
            return fail(new FeedFetchError('checksum_mismatch', `sha256 ${sha256} does not match the pinned digest`, status));
          }
          settled = true;
          clearTimeout(timer);
          const etag = headerValue(res.headers.etag);
          const lastModified = headerValue(res.headers['last-modified']);
          resolve({
            status: 'ok',
            body: whole ?? Buffer.concat(chunks, bytes),
            ...(sha256 !== undefined ? { sha256 } : {}),
            finalUrl: parsed.href,
            ...(etag !== undefined ? { etag } : {}),
            ...(lastModified !== undefined ? { lastModified } : {}),
          });
        });
      });
      const timer = setTimeout(() => fail(new FeedFetchError('timeout', `no complete answer within ${req.timeoutMs} ms`)), remaining);
      request.on('error', (err) => fail(new FeedFetchError('network', 'request failed', undefined, { cause: err })));
      request.on('socket', (sock) => sock.once('connect', () => {
        if (sock.remoteAddress) peers.add(sock.remoteAddress);
      }));
    });

  const withPeers = (r: FeedFetchResult): FeedFetchResult => ({ ...r, peers: [...peers] });
  return resolveFirst(req.url)
    .then(() => attempt(req.url, maxRedirects))
    .then(withPeers, (e: unknown) => {
      if (e instanceof FeedFetchError) e.peers = [...peers];
      throw e;
    });
}
