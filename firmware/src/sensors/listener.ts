// UdpEventListener: the loopback dgram socket ulogd2 sends JSON datagrams to. Each datagram
// is length-checked, JSON-decoded and dispatched by shape to a pure parser; whatever fails
// is counted by reason and dropped. Nothing a datagram contains can throw out of here.
import dgram from 'node:dgram';
import type { SensorEvent } from './events.js';

/** A parser the listener can dispatch to: `matches` looks at the shape, `parse` decides. */
export interface DatagramParser {
  /** Short name, used as the prefix of malformed-reason counters ("nflog:bad-address"). */
  name: string;
  matches(obj: Record<string, unknown>): boolean;
  parse(value: unknown, receivedAt: number):
    | { ok: true; event: SensorEvent }
    | { ok: false; reason: string };
}

export interface UdpEventListenerOptions {
  /** Port to bind on 127.0.0.1; 0 lets the kernel choose (read it from start()). */
  port: number;
  parsers: readonly DatagramParser[];
  onEvent: (event: SensorEvent) => void;
  now: () => number;
  /** SO_RCVBUF request in bytes (the kernel caps it at net.core.rmem_max). */
  recvBufferSize?: number | undefined;
  /** Datagrams longer than this are dropped unread (ulogd2's are well under 2 KiB). */
  maxDatagramBytes?: number | undefined;
}

export interface ListenerCounters {
  received: number;
  dispatched: number;
  /** Valid JSON objects no parser claimed (e.g. flow datagrams with no flow parser). */
  unhandled: number;
  /** Datagrams whose sender was not 127.0.0.1. */
  foreignSource: number;
  /** onEvent threw: a bug downstream, counted so it is visible. */
  handlerErrors: number;
  malformed: Record<string, number>;
}

export class ListenerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ListenerError';
  }
}

const DEFAULT_MAX_DATAGRAM = 8192;
const DEFAULT_RECV_BUFFER = 4 * 1024 * 1024;

export class UdpEventListener {
  private socket: dgram.Socket | undefined;
  private boundPort = 0;
  private readonly c: ListenerCounters = {
    received: 0, dispatched: 0, unhandled: 0, foreignSource: 0, handlerErrors: 0, malformed: {},
  };

  constructor(private readonly opts: UdpEventListenerOptions) {}

  /** Bind 127.0.0.1:port; resolves with the bound port. Throws ListenerError on bind failure. */
  async start(): Promise<number> {
    if (this.socket) return this.boundPort;
    const socket = dgram.createSocket({
      type: 'udp4',
      recvBufferSize: this.opts.recvBufferSize ?? DEFAULT_RECV_BUFFER,
    });
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo.address));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.close();
        reject(new ListenerError(`cannot bind 127.0.0.1:${this.opts.port}`, { cause: err }));
      };
      socket.once('error', onError);
      socket.bind(this.opts.port, '127.0.0.1', () => {
        socket.off('error', onError);
        resolve();
      });
    });
    // After binding, socket errors (rare for UDP receive) are counted, never fatal.
    socket.on('error', () => this.bump('socket-error'));
    this.socket = socket;
    this.boundPort = socket.address().port;
    return this.boundPort;
  }

  /** Close the socket; safe to call twice. */
  async stop(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** The bound port (0 before start). */
  port(): number {
    return this.boundPort;
  }

  /** Effective receive buffer in bytes as the kernel granted it (0 before start). */
  recvBufferSize(): number {
    return this.socket ? this.socket.getRecvBufferSize() : 0;
  }

  /** A snapshot of the counters. */
  counters(): ListenerCounters {
    return { ...this.c, malformed: { ...this.c.malformed } };
  }

  /** Handle one datagram; public for tests and benchmarks (no socket needed). */
  handleDatagram(msg: Buffer, fromAddress: string): void {
    this.onMessage(msg, fromAddress);
  }

  private bump(reason: string): void {
    this.c.malformed[reason] = (this.c.malformed[reason] ?? 0) + 1;
  }

  private onMessage(msg: Buffer, from: string): void {
    this.c.received++;
    try {
      if (from !== '127.0.0.1') { this.c.foreignSource++; return; }
      if (msg.length > (this.opts.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM)) {
        this.bump('too-large');
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(msg.toString('utf8'));
      } catch {
        this.bump('not-json'); // the parse error itself carries nothing we need
        return;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        this.bump('not-object');
        return;
      }
      const obj = value as Record<string, unknown>;
      const parser = this.opts.parsers.find((p) => p.matches(obj));
      if (!parser) { this.c.unhandled++; return; }
      const result = parser.parse(obj, this.opts.now());
      if (!result.ok) { this.bump(`${parser.name}:${result.reason}`); return; }
      try {
        this.opts.onEvent(result.event);
        this.c.dispatched++;
      } catch {
        this.c.handlerErrors++; // downstream bug: counted; the sensor path keeps running
      }
    } catch {
      this.bump('internal'); // a parser bug must not take the daemon down
    }
  }
}
