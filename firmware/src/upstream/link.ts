// What the forwarder drives: one connection ("link") to the collector. A link either confirms
// messages as the collector acknowledges them (RELP `rsp 200`: 'acked'), or confirms a whole
// batch when it is finished cleanly ('batch': TCP and TLS by the close handshake, UDP by the
// absence of a refusal). Links carry sequence numbers so confirmations name what they cover.

export interface LinkEvents {
  /** Every message written on this link up to and including `seq` is confirmed ('acked' links). */
  confirmed(seq: number): void;
  /** The link broke or the collector closed it; what it did not confirm must be resent. */
  closed(err: Error): void;
  /** The link can take more (a window opened, a buffer drained). */
  progress(): void;
}

export interface Link {
  readonly kind: 'acked' | 'batch';
  /** SHA-256 of the collector's certificate (hex) on TLS links. */
  readonly peerCertSha256: string | null;
  /** How many more messages may be written now. */
  room(): number;
  write(seq: number, payload: Buffer): void;
  /** Ends the link politely. For 'batch' links, resolving means every written message is
   *  confirmed; rejecting means none is. */
  finish(): Promise<void>;
  /** Drops the link at once (nothing more is confirmed). */
  destroy(): void;
}

/** Opens a link; rejects (UpstreamLinkError) when the collector cannot be reached or trusted,
 *  or when `signal` aborts (the forwarder is stopping). */
export type Connector = (events: LinkEvents, signal?: AbortSignal) => Promise<Link>;

/** Why a link failed, in words for `utmctl upstream status`; `code` is the errno or TLS reason. */
export class UpstreamLinkError extends Error {
  override name = 'UpstreamLinkError';
  constructor(message: string, readonly code: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Wraps anything thrown by a socket into an UpstreamLinkError with a readable message. */
export function linkError(e: unknown, what: string): UpstreamLinkError {
  if (e instanceof UpstreamLinkError) return e;
  const o = typeof e === 'object' && e !== null ? e : undefined;
  const code = o && 'code' in o && typeof o.code === 'string' ? o.code : undefined;
  const message = o && 'message' in o && typeof o.message === 'string' ? o.message : String(e);
  const first = (message.split('\n')[0] ?? '').trim();
  return new UpstreamLinkError(`${what}: ${first}`.slice(0, 300), code, { cause: e });
}
