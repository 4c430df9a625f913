// The adapters the composition root (daemon.ts) is given: everything that needs root or
// touches the kernel, the ports or the clock. utmd passes systemAdapters(); unit tests pass
// fakes, so the wiring runs without privileges.
import { ConnectionCutter, type ConnectionSweeper, type CutterDeps } from '../conntrack/cutter.js';
import { probeFlowtable, setFlowtableCounter, type FlowtableVerdict } from '../nft/flowtableProbe.js';
import { FLOWTABLE } from '../nft/render.js';
import type { ListenPage } from './web.js';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { ControlServer } from '../control/server.js';
import { CaptureHub, type CaptureHubOptions } from '../sensors/captureHub.js';
import { NftDriver } from '../nft/driver.js';
import type { RulesetBackend } from '../nft/backend.js';
import { LAST_GOOD_FILE, scratchDir } from '../sys/paths.js';
import { startWebServer } from '../../../webui/src/index.js';
import type { Serialize } from './applyQueue.js';
import type { Handlers } from './commands.js';
import type { Logger } from './log.js';
import { NetworkPlanner, type NetworkPlannerOptions } from './networkPlanner.js';
import { Sensing, type SensingDeps } from './sensing.js';
import { setSysctls } from './sysctls.js';
import { pageLimits, readNofile } from './webLimits.js';

/** The port watcher and network planner (reads links and tables, spawns its capture children). */
export type PlannerPort = Pick<NetworkPlanner, 'first' | 'start' | 'stop' | 'status'>;
/** The sensors: ulogd2 and the loopback listener. */
export type SensingPort = Pick<Sensing, 'start' | 'stop' | 'status'>;
/** A started control socket. */
export interface ControlPort {
  /** The socket's path. */
  readonly path?: string | undefined;
  inProgress(): Array<{ cmd: string; elapsedMs: number }>;
  stop(): Promise<void>;
}

export interface ControlStart {
  socketPath: string;
  livenessPath: string;
  handlers: Handlers;
}

export interface DaemonAdapters {
  /** The clock. */
  now: () => number;
  /** The ruleset backend (nft; a DryRunBackend in tests); every ruleset change it makes runs
   *  through `serialize` (the apply queue). */
  nft: (serialize: Serialize) => RulesetBackend;
  planner: (o: NetworkPlannerOptions) => PlannerPort;
  sensing: (d: SensingDeps) => SensingPort;
  /** The box's one packet capture (one tcpdump for every port and consumer; spawns it only once a tap is added). */
  capture: (o: CaptureHubOptions) => CaptureHub;
  /** Ends open connections to and from listed addresses and quarantined devices (conntrack -D). */
  cutter: (d: CutterDeps) => ConnectionSweeper;
  /** Whether the kernel offers a flowtable on these ports (router mode); absent: never asked, none used. */
  flowtable?: ((devices: readonly string[]) => Promise<FlowtableVerdict>) | undefined;
  /** Sets the counter flag on the applied flowtable (nft's JSON reader drops it). */
  flowtableCounter?: ((devices: readonly string[]) => Promise<void>) | undefined;
  /** conntrack and bridge sysctls for the mode. */
  sysctls: (config: Config, log: Logger) => Promise<void>;
  /** Listens with the page's app; rejects when the address cannot be bound. */
  listenPage: ListenPage;
  /** Listens on the control socket; rejects (having cleaned up) when it cannot. */
  listenControl: (o: ControlStart) => Promise<ControlPort>;
  /** A full garbage collection (node's `gc`, under --expose-gc as utmd.service runs it);
   *  absent: the heap's idle growth is left to V8 (sys/idleCollector.ts). */
  gc?: (() => void) | undefined;
}

/** The real adapters of utmd for `stateDir` and our table `tableName`. */
export function systemAdapters(o: { stateDir: string; tableName: string; log: Logger }): DaemonAdapters {
  return {
    now: Date.now,
    nft: (serialize) => new NftDriver({ lastGoodPath: join(o.stateDir, LAST_GOOD_FILE), workDir: scratchDir(o.stateDir), tableName: o.tableName, serialize }),
    planner: (po) => new NetworkPlanner(po),
    sensing: (d) => new Sensing(d),
    capture: (c) => new CaptureHub(c),
    cutter: (d) => new ConnectionCutter(d),
    flowtable: (devices) => probeFlowtable(o.tableName, devices),
    flowtableCounter: (devices) => setFlowtableCounter(o.tableName, FLOWTABLE, devices),
    sysctls: setSysctls,
    listenPage: (app, at) => {
      const limits = pageLimits(readNofile());
      o.log.info(`page: at most ${limits.maxConnections} connections, ${limits.perClient} per client`);
      return startWebServer(app, { ...at, limits });
    },
    listenControl: async (c) => {
      const server = new ControlServer(c.socketPath, c.handlers, c.livenessPath);
      try {
        await server.start();
      } catch (e) {
        await server.stop(); // a socket bound before the liveness file could be written
        throw e;
      }
      return server;
    },
    gc: exposedGc(),
  };
}

/** node's `gc` when utmd runs with --expose-gc (utmd.service), else undefined. */
function exposedGc(): (() => void) | undefined {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === 'function' ? () => void (gc as () => unknown)() : undefined;
}
