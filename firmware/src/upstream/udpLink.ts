// UDP link (RFC 5426) on a *connected* socket, so that the collector host's ICMP "port
// unreachable" comes back as ECONNREFUSED and a missing route as ENETUNREACH. UDP cannot
// confirm delivery: a batch counts as delivered when every datagram was sent and no refusal
// arrived within the settle time after the last one. A lost datagram without ICMP (a dead
// link beyond the first hop) is lost: use tls or relp where that matters. The kernel also
// rate-limits ICMP (net.ipv4.icmp_ratelimit, about one per second per peer after a small
// burst), so after a failure the next link is a probe: it waits out the limit, carries one
// message and listens longer, and only a clean probe lets full batches resume.
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { ResolvedUpstream } from '../config/upstream.js';
import { MAX_DATAGRAM } from './rfc5424.js';
import { linkError, UpstreamLinkError, type Connector, type Link, type LinkEvents } from './link.js';

export function udpConnector(u: ResolvedUpstream, o: { settleMs: number }): Connector {
  let suspect = false;
  return async (ev, signal) => {
    if (suspect) await new Promise((r) => setTimeout(r, PROBE_WAIT_MS));
    if (signal?.aborted) throw new UpstreamLinkError('stopped', 'EABORTED');
    const probe = suspect;
    const events: LinkEvents = { ...ev, closed: (e) => { suspect = true; ev.closed(e); } };
    const link = await new Promise<UdpLink>((resolve, reject) => {
      const s = dgram.createSocket(isIPv6(u.host) ? 'udp6' : 'udp4');
      const onErr = (e: Error): void => {
        s.close();
        reject(linkError(e, 'udp connect'));
      };
      s.once('error', onErr);
      s.connect(u.port, u.host, () => {
        s.off('error', onErr);
        resolve(new UdpLink(s, events, probe ? PROBE_SETTLE_MS : o.settleMs, probe ? 1 : 256, () => (suspect = false)));
      });
    });
    return link;
  };
}

/** Past the kernel's per-peer ICMP rate limit (1 s by default). */
const PROBE_WAIT_MS = 1100;
const PROBE_SETTLE_MS = 1000;

class UdpLink implements Link {
  readonly kind = 'batch';
  readonly peerCertSha256 = null;
  private failed: Error | null = null;
  private inFlight = 0;
  private written = 0;
  private closed = false;

  constructor(private readonly s: dgram.Socket, private readonly ev: LinkEvents, private readonly settleMs: number, private readonly batch: number, private readonly clean: () => void) {
    s.on('error', (e) => this.fail(linkError(e, 'udp')));
    s.on('message', () => undefined); // a collector does not answer; reading keeps ICMP errors flowing
  }

  room(): number {
    return this.failed || this.written >= this.batch ? 0 : this.batch - this.written;
  }

  write(_seq: number, payload: Buffer): void {
    if (this.failed) return;
    this.inFlight++;
    this.written++;
    this.s.send(payload.subarray(0, MAX_DATAGRAM), (e) => {
      this.inFlight--;
      if (e) this.fail(linkError(e, 'udp send'));
      else this.ev.progress();
    });
  }

  finish(): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.failed) return reject(this.failed);
        if (this.inFlight > 0) return void setTimeout(check, 5);
        setTimeout(() => {
          const f = this.failed;
          this.destroy();
          if (f) return reject(f);
          this.clean();
          resolve();
        }, this.settleMs);
      };
      check();
    });
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.s.close();
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = e;
    this.ev.closed(e);
  }
}
