// Starts and stops the HTTP or HTTPS server for the web app. The daemon decides host and
// port (LAN side only) and hands the box's certificate for HTTPS; tests use 127.0.0.1 and port 0.
import { createServer, type RequestListener } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ConnectionGate, DEFAULT_LIMITS, type ConnectionCounts, type ConnectionLimits } from './connLimits.js';

export interface WebServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  /** Connections open now, clients, and what the caps refused. */
  connections(): ConnectionCounts;
  /** Stops accepting, ends open connections and resolves when the server is closed. */
  close(): Promise<void>;
}

/** Listens on host:port (HTTPS when `tls` is given); rejects when the address cannot be bound (in use, bad host). */
export function startWebServer(app: RequestListener, opts: { host: string; port: number; limits?: ConnectionLimits | undefined; tls?: { cert: string; key: string } | undefined }): Promise<WebServer> {
  // Header and request timeouts are checked every connectionsCheckingInterval (default 30 s).
  const server = opts.tls
    ? createTlsServer({ connectionsCheckingInterval: 1_000, cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }, app)
    : createServer({ connectionsCheckingInterval: 1_000 }, app);
  server.maxHeadersCount = 64;
  const gate = new ConnectionGate(opts.limits ?? DEFAULT_LIMITS);
  gate.attach(server);
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      const port = (server.address() as AddressInfo).port;
      resolve({
        port,
        connections: () => ({ ...gate.counts }),
        close: () => new Promise<void>((done, fail) => {
          server.close((err) => (err ? fail(err) : done()));
          server.closeAllConnections();
        }),
      });
    });
  });
}
