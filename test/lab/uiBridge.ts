// Exposes utmd's web UI (which listens inside the box namespace on the LAN side only) on
// the host at http://127.0.0.1:8080 without adding any link to the host: a forwarder in a
// LAN host namespace listens on a unix socket (filesystem sockets are not bound to a network
// namespace) and connects to the box's LAN address; a forwarder on the host listens on
// 127.0.0.1:8080 and connects to that unix socket. Both stop with the lab.
import { join } from 'node:path';
import type { Lab, LabHost } from './lab.js';
import type { LabProcess } from './process.js';
import { hostPort, STARTUP_TIMEOUT_MS } from './services.js';

export interface UiBridgeOptions {
  /** Host address to listen on (default 127.0.0.1). */
  hostAddr?: string;
  /** Host port to listen on (default 8080; 0 lets the kernel pick one, see url). */
  hostPort?: number;
  /** LAN host whose namespace the inner forwarder runs in (default the first). */
  via?: LabHost;
  /** What to reach from there (default the box's LAN IPv4 address, port 80). */
  target?: { addr: string; port: number };
  /** The page behind it speaks HTTPS (the url says https://; the bytes are forwarded as they are). */
  https?: boolean;
  /** Unix socket name in the lab dir (default ui.sock; give another for a second bridge). */
  socketName?: string;
}

export interface UiBridge {
  /** e.g. http://127.0.0.1:8080/ */
  url: string;
  socketPath: string;
  inner: LabProcess;
  outer: LabProcess;
  stop(): Promise<void>;
}

/** Starts both forwarders; throws SpawnError (with the forwarder's stderr) when a side cannot listen. */
export async function startUiBridge(lab: Lab, opts: UiBridgeOptions = {}): Promise<UiBridge> {
  const via = opts.via ?? lab.hosts[0];
  if (via === undefined) throw new RangeError('the lab has no LAN host to run the UI bridge in');
  const target = opts.target ?? { addr: lab.box.lanAddress.v4, port: 80 };
  const addr = opts.hostAddr ?? '127.0.0.1';
  const port = opts.hostPort ?? 8080;
  const socketPath = join(lab.dir, opts.socketName ?? 'ui.sock');
  const inner = await lab.spawnAgent(via.ns, 'forward', ['--listen', `unix:${socketPath}`, '--to', `tcp:${hostPort(target.addr, target.port)}`]);
  await inner.waitForOutput((s) => s.includes('listening'), { what: 'UI bridge (LAN side)', timeoutMs: STARTUP_TIMEOUT_MS });
  const outer = await lab.spawnAgent(undefined, 'forward', ['--listen', `tcp:${hostPort(addr, port)}`, '--to', `unix:${socketPath}`]);
  await outer.waitForOutput((s) => s.includes('listening'), { what: 'UI bridge (host side)', timeoutMs: STARTUP_TIMEOUT_MS });
  const bound = Number(/listening \S+ (\d+)/.exec(outer.stdout())?.[1] ?? port);
  return {
    url: `${opts.https ? 'https' : 'http'}://${hostPort(addr, bound)}/`,
    socketPath,
    inner,
    outer,
    async stop() {
      await outer.stop();
      await inner.stop();
    },
  };
}
