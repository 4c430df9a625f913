// Picks the link for the resolved transport: tls and tcp (octet counting, close-handshake
// confirmation), relp and relp-tls (per-message rsp 200), udp (connected socket).
import type { ResolvedUpstream } from '../config/upstream.js';
import type { Connector } from './link.js';
import { relpConnector } from './relpLink.js';
import { streamConnector } from './streamLink.js';
import { udpConnector } from './udpLink.js';

export interface ConnectorTuning {
  connectTimeoutMs?: number | undefined;
  finishTimeoutMs?: number | undefined;
  /** RELP: unacknowledged messages in flight (default 1024; librelp's own client uses 128). */
  relpWindow?: number | undefined;
  /** UDP: how long after a batch a refusal is waited for. */
  udpSettleMs?: number | undefined;
}

/** The connector for `u`; `now` dates certificate checks. */
export function connectorFor(u: ResolvedUpstream, now: () => number, t: ConnectorTuning = {}): Connector {
  const sock = { connectTimeoutMs: t.connectTimeoutMs ?? 10_000, now };
  const finishTimeoutMs = t.finishTimeoutMs ?? 15_000;
  switch (u.transport) {
    case 'tls':
      return streamConnector(u, true, { ...sock, finishTimeoutMs });
    case 'tcp':
      return streamConnector(u, false, { ...sock, finishTimeoutMs });
    case 'relp':
      return relpConnector(u, false, { ...sock, finishTimeoutMs, window: t.relpWindow ?? 1024 });
    case 'relp-tls':
      return relpConnector(u, true, { ...sock, finishTimeoutMs, window: t.relpWindow ?? 1024 });
    case 'udp':
      return udpConnector(u, { settleMs: t.udpSettleMs ?? 200 });
  }
}

/** "host:port" with IPv6 bracketed. */
export function peerText(u: ResolvedUpstream): string {
  return `${u.host.includes(':') ? `[${u.host}]` : u.host}:${u.port}`;
}
