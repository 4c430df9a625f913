// TCP and TLS links with octet counting (RFC 6587 §3.4.1, RFC 5425). Plain syslog over a
// stream has no acknowledgement, so a batch is confirmed by the close handshake: after the
// batch the box half-closes (FIN; on TLS close_notify then FIN) and waits for the collector to
// close in turn, with no error or reset on the way. A collector (rsyslog imtcp, syslog-ng)
// closes its side only after reading up to our end of stream, so every byte of the batch was
// read by its input. Anything else (reset, timeout, the collector closing first) confirms
// nothing, and the whole batch is sent again on the next link: at-least-once, with duplicates
// carrying the same sequence number.
import net from 'node:net';
import tls from 'node:tls';
import type { ResolvedUpstream } from '../config/upstream.js';
import { octetCounted } from './framing.js';
import { linkError, UpstreamLinkError, type Connector, type Link, type LinkEvents } from './link.js';
import { peerFingerprint, tlsOptions, verifyPeer } from './tlsTrust.js';

export interface SocketOptions {
  connectTimeoutMs: number;
  now: () => number;
}

/** Opens a TCP or (when `secure`) verified TLS socket; rejects with UpstreamLinkError. */
export function openSocket(u: ResolvedUpstream, secure: boolean, o: SocketOptions, signal?: AbortSignal): Promise<{ socket: net.Socket; peerCertSha256: string | null }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: unknown, what: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(linkError(e, what));
    };
    const socket: net.Socket = secure ? tls.connect(tlsOptions(u)) : net.connect({ host: u.host, port: u.port });
    const timer = setTimeout(() => fail(new UpstreamLinkError(`no connection within ${o.connectTimeoutMs} ms`, 'ETIMEDOUT'), 'connect'), o.connectTimeoutMs);
    socket.once('error', (e) => fail(e, secure ? 'TLS connect' : 'connect'));
    const onAbort = (): void => fail(new UpstreamLinkError('stopped', 'EABORTED'), 'connect');
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      if (settled) return;
      let fp: string | null = null;
      if (secure) {
        const s = socket as tls.TLSSocket;
        fp = peerFingerprint(s);
        try {
          verifyPeer(u, s, o.now());
        } catch (e) {
          return fail(Object.assign(e as Error, { peerCertSha256: fp }), 'TLS');
        }
      }
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      socket.setKeepAlive(true, 30_000);
      resolve({ socket, peerCertSha256: fp });
    });
  });
}

/** Connector for `tcp` and `tls`. */
export function streamConnector(u: ResolvedUpstream, secure: boolean, o: SocketOptions & { finishTimeoutMs: number }): Connector {
  return async (ev, signal) => {
    const { socket, peerCertSha256 } = await openSocket(u, secure, o, signal);
    return new StreamLink(socket, ev, peerCertSha256, o.finishTimeoutMs);
  };
}

class StreamLink implements Link {
  readonly kind = 'batch';
  private failed: Error | null = null;
  private finishing = false;
  private peerEnded = false;
  private readonly highWater = 16 << 20;
  private corked = false;

  constructor(private readonly s: net.Socket, private readonly ev: LinkEvents, readonly peerCertSha256: string | null, private readonly finishTimeoutMs: number) {
    s.on('error', (e) => this.fail(linkError(e, 'collector link')));
    s.on('drain', () => ev.progress());
    s.on('end', () => {
      this.peerEnded = true;
      // The collector closing before we asked proves nothing about what it read.
      if (!this.finishing) this.fail(new UpstreamLinkError('the collector closed the connection', 'EPEERCLOSED'));
    });
    s.on('close', () => {
      if (!this.finishing) this.fail(new UpstreamLinkError('the connection closed', 'ECLOSED'));
    });
  }

  room(): number {
    return this.failed || this.s.writableLength > this.highWater ? 0 : 256;
  }

  write(_seq: number, payload: Buffer): void {
    if (this.failed) return;
    // Cork a burst of writes into few segments; uncorked once the current turn is done.
    if (!this.corked) {
      this.corked = true;
      this.s.cork();
      setImmediate(() => {
        this.corked = false;
        this.s.uncork();
      });
    }
    this.s.write(octetCounted(payload));
  }

  finish(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    this.finishing = true;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.s.destroy();
        reject(new UpstreamLinkError(`the collector did not close within ${this.finishTimeoutMs} ms`, 'ETIMEDOUT'));
      }, this.finishTimeoutMs);
      let err: Error | null = null;
      this.s.on('error', (e) => (err ??= linkError(e, 'collector link')));
      this.s.once('close', (hadError) => {
        clearTimeout(timer);
        if (err || hadError || !this.peerEnded) reject(err ?? new UpstreamLinkError('the connection was reset before the collector closed it', 'ECONNRESET'));
        else resolve();
      });
      this.s.end();
    });
  }

  destroy(): void {
    this.finishing = true;
    this.s.destroy();
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = e;
    this.s.destroy();
    this.ev.closed(e);
  }
}
