// RELP client (librelp's protocol, as rsyslog's imrelp speaks it), over TCP or verified TLS.
// Session: "1 open" offering relp_version=0 and commands=syslog, the server's "rsp 200";
// then "N syslog" frames with a window of unacknowledged transactions; each "N rsp 200"
// confirms its message. Confirmations are passed on in sequence order only (a later rsp before
// an earlier one waits), so the outbox's confirmed point never jumps a gap. Any other answer,
// a "serverclose" or a malformed frame drops the link; the forwarder resends what was not
// confirmed on a new one.
import type net from 'node:net';
import type { ResolvedUpstream } from '../config/upstream.js';
import { parseRelpResponse, RELP_MAX_TXNR, relpFrame, RelpReader, type RelpFrame } from './framing.js';
import { linkError, UpstreamLinkError, type Connector, type Link, type LinkEvents } from './link.js';
import { openSocket, type SocketOptions } from './streamLink.js';

const OFFER = 'relp_version=0\nrelp_software=otasuke-utm,1,https://example.invalid/otasuke-utm\ncommands=syslog';

/** Connector for `relp` and `relp-tls`. */
export function relpConnector(u: ResolvedUpstream, secure: boolean, o: SocketOptions & { window: number; finishTimeoutMs: number }): Connector {
  return async (ev, signal) => {
    const { socket, peerCertSha256 } = await openSocket(u, secure, o, signal);
    const link = new RelpLink(socket, ev, peerCertSha256, o.window, o.finishTimeoutMs);
    const onAbort = (): void => link.destroy();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await link.open(o.connectTimeoutMs);
      signal?.removeEventListener('abort', onAbort);
    } catch (e) {
      signal?.removeEventListener('abort', onAbort);
      link.destroy();
      throw linkError(e, 'RELP open');
    }
    return link;
  };
}

interface Pending { txnr: number; seq: number; acked: boolean }

class RelpLink implements Link {
  readonly kind = 'acked';
  private readonly reader = new RelpReader();
  private txnr = 1;
  /** Unacknowledged transactions in send order, from `head`; `byTxnr` finds one by number. */
  private pending: Pending[] = [];
  private head = 0;
  private readonly byTxnr = new Map<number, Pending>();
  private failed: Error | null = null;
  private opened: ((e: Error | null) => void) | null = null;
  private closing: ((e: Error | null) => void) | null = null;
  private closeTxnr = -1;

  constructor(private readonly s: net.Socket, private readonly ev: LinkEvents, readonly peerCertSha256: string | null, private readonly window: number, private readonly finishTimeoutMs: number) {
    s.on('data', (d: Buffer) => this.onData(d));
    s.on('error', (e) => this.fail(linkError(e, 'RELP link')));
    s.on('end', () => this.fail(new UpstreamLinkError('the collector closed the RELP session', 'EPEERCLOSED')));
    s.on('close', () => this.fail(new UpstreamLinkError('the RELP connection closed', 'ECLOSED')));
  }

  /** Sends the open offer; resolves on the server's rsp 200 offering `syslog`. */
  open(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new UpstreamLinkError(`no RELP open answer within ${timeoutMs} ms`, 'ETIMEDOUT')), timeoutMs);
      this.opened = (e) => {
        clearTimeout(timer);
        this.opened = null;
        if (e) reject(e);
        else resolve();
      };
      this.s.write(relpFrame(this.txnr++, 'open', OFFER));
    });
  }

  /** Free window, offered in chunks of at least a quarter window so refills are few and large. */
  room(): number {
    if (this.failed || this.opened) return 0;
    const free = this.window - this.inFlight();
    return free >= Math.max(1, this.window >> 2) ? free : 0;
  }

  private inFlight(): number {
    return this.pending.length - this.head;
  }

  write(seq: number, payload: Buffer): void {
    if (this.failed) return;
    const txnr = this.nextTxnr();
    const p = { txnr, seq, acked: false };
    this.pending.push(p);
    this.byTxnr.set(txnr, p);
    this.s.write(relpFrame(txnr, 'syslog', payload));
  }

  /** Polite close ("close", its rsp, then FIN). Confirmations already given stand either way. */
  finish(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new UpstreamLinkError('no answer to RELP close', 'ETIMEDOUT')), this.finishTimeoutMs);
      this.closing = (e) => {
        clearTimeout(timer);
        this.closing = null;
        this.s.end();
        if (e) reject(e);
        else resolve();
      };
      this.closeTxnr = this.nextTxnr();
      this.s.write(relpFrame(this.closeTxnr, 'close'));
    });
  }

  /** Drops the link; a pending open or close is answered with the error. */
  destroy(): void {
    this.fail(new UpstreamLinkError('link dropped', 'EDROPPED'));
  }

  private nextTxnr(): number {
    const t = this.txnr;
    this.txnr = t >= RELP_MAX_TXNR ? 1 : t + 1;
    return t;
  }

  private onData(d: Buffer): void {
    let frames: RelpFrame[];
    try {
      frames = this.reader.push(d);
    } catch (e) {
      return this.fail(linkError(e, 'RELP'));
    }
    for (const f of frames) {
      if (this.failed) return;
      this.onFrame(f);
    }
  }

  private onFrame(f: RelpFrame): void {
    if (f.command === 'serverclose') return this.fail(new UpstreamLinkError('the collector ended the RELP session (serverclose)', 'ESERVERCLOSE'));
    if (f.command !== 'rsp') return this.fail(new UpstreamLinkError(`unexpected RELP command ${f.command}`, 'EPROTO'));
    let r: ReturnType<typeof parseRelpResponse>;
    try {
      r = parseRelpResponse(f.data);
    } catch (e) {
      return this.fail(linkError(e, 'RELP'));
    }
    if (this.opened && f.txnr === 1) {
      if (r.code !== 200) return this.fail(new UpstreamLinkError(`the collector refused the RELP session: ${r.code} ${r.text}`, 'ERELPOPEN'));
      if (!/(^|\n)commands=([^\n]*,)?syslog(,|\n|$)/.test(r.rest)) return this.fail(new UpstreamLinkError('the collector does not offer the RELP syslog command', 'ERELPOPEN'));
      return this.opened(null);
    }
    if (this.closing && f.txnr === this.closeTxnr) return this.closing(null);
    const p = this.byTxnr.get(f.txnr);
    if (!p) return this.fail(new UpstreamLinkError(`RELP answer for unknown transaction ${f.txnr}`, 'EPROTO'));
    if (r.code !== 200) return this.fail(new UpstreamLinkError(`the collector refused a message: ${r.code} ${r.text}`, 'ERELPREFUSED'));
    p.acked = true;
    this.byTxnr.delete(f.txnr);
    const before = this.room();
    let last: number | null = null;
    for (let p = this.pending[this.head]; p !== undefined && p.acked; p = this.pending[++this.head]) last = p.seq;
    if (this.head > 4096) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    if (last !== null) {
      this.ev.confirmed(last);
      if (before === 0 && this.room() > 0) this.ev.progress(); // wake the forwarder only when a refill is worth it
    }
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = e;
    this.s.destroy();
    this.opened?.(e);
    this.closing?.(e);
    this.ev.closed(e);
  }
}
