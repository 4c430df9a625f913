// The composition root wired with fakes, for unit tests without root: the dry-run ruleset
// backend (nft/dryRun.ts, with a last-good ruleset an earlier run left), a planner that hands over a fixed plan, sensors that only count their
// lifecycle, and page/control listeners a test can make fail. The page listener binds a real
// socket on 127.0.0.1 (the configured port; the default 80 becomes a free one), so "port in use" is the kernel's own answer.
import { CaptureHub } from '../../firmware/src/sensors/captureHub.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { Daemon, type DaemonOptions } from '../../firmware/src/app/daemon.js';
import type { ControlStart, DaemonAdapters } from '../../firmware/src/app/adapters.js';
import type { Handlers } from '../../firmware/src/app/commands.js';
import type { Feature } from '../../firmware/src/feature/contract.js';
import { ConfigSchema } from '../../firmware/src/config/schema.js';
import { BasePolicySchema } from '../../firmware/src/nft/policy.js';
import type { NetworkPlan } from '../../firmware/src/policy/network.js';
import { startWebServer, staffText, type WebServer } from '../../webui/src/index.js';
import { DryRunBackend } from '../../firmware/src/nft/dryRun.js';

const ROOT = join(import.meta.dirname, '../..');
export const BASE = BasePolicySchema.parse(JSON.parse(readFileSync(join(ROOT, 'rules/base-policy.json'), 'utf8')));
export const PLAN: NetworkPlan = {
  mode: 'router', ifaces: { wan: 'lo', lan: ['lo'] }, bridgePorts: [], lanPrefixes: ['192.168.77.0/24'],
  boxAddresses: [], gateways: [], wanReason: 'test', problems: [],
};

/** A config for the fake box; `over` replaces top-level sections. */
export function testConfig(over: Record<string, unknown> = {}): ReturnType<typeof ConfigSchema.parse> {
  return ConfigSchema.parse({
    mode: 'router', interfaces: { wan: 'lo', lan: ['lo'] }, lan: { prefixes: ['192.168.77.0/24'] }, feeds: { shipped: false }, ...over,
  });
}

/** The last-good ruleset an earlier run left on the box (our table, empty). */
export const EARLIER_RUN = JSON.stringify({ nftables: [{ add: { table: { family: 'inet', name: BASE.tableName } } }] });

export const quietLog = { info: (): void => {}, warn: (): void => {}, error: (): void => {} };

/** What the fakes saw; `controlRefused`/`pageHost` let a test vary the world. */
export interface Harness {
  daemon: Daemon;
  stateDir: string;
  nft(): DryRunBackend;
  /** The handlers the control socket got (throws before it started). */
  handlers(): Handlers;
  page(): WebServer | null;
  lifecycle: string[];
  /** While set, the control listener fails with this error. */
  controlRefused: Error | null;
}

/** A Daemon with fake adapters and a fresh state dir (removed in teardown). */
export function harness(t: ExecutionContext, o: Partial<DaemonOptions> = {}): Harness {
  const stateDir = mkdtempSync(join(tmpdir(), 'utm-daemon-'));
  t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));
  let nft: DryRunBackend | null = null;
  let handlers: Handlers | null = null;
  let page: WebServer | null = null;
  const lifecycle: string[] = [];
  const world: { controlRefused: Error | null } = { controlRefused: null };
  const adapters: DaemonAdapters = {
    now: () => 1_800_000_000_000,
    nft: (serialize) => (nft = new DryRunBackend(BASE.tableName, serialize, EARLIER_RUN)),
    planner: () => ({
      first: async () => PLAN,
      start: async () => void lifecycle.push('planner start'),
      stop: async () => void lifecycle.push('planner stop'),
      status: () => ({ fake: true }),
    }),
    sensing: () => ({
      start: async () => void lifecycle.push('sensing start'),
      stop: async () => void lifecycle.push('sensing stop'),
      status: () => ({ counts: { packets: 0, flows: 0, errors: 0 }, observation: null }),
    }),
    // The real hub: it spawns nothing until a tap is added (no feature here adds one).
    capture: (c) => new CaptureHub({ ...c, tcpdump: '/nonexistent/tcpdump' }),
    // no kernel here: nothing to end (the lab tests end real connections, test/integration/nft/fastPath)
    cutter: () => ({ sweep: () => Promise.resolve(0) }),
    sysctls: async () => void lifecycle.push('sysctls'),
    listenPage: async (app: RequestListener, at) => {
      // the shipped ports 80 and 443 become free ones; a test that sets its own port gets that one
      const w = await startWebServer(app, { host: '127.0.0.1', port: at.port === 80 || at.port === 443 ? 0 : at.port, tls: at.tls });
      if (at.tls) return w; // the secure page: the tests here read the plain one
      page = w;
      return { ...w, close: async () => {
        page = null;
        await w.close();
      } };
    },
    listenControl: async (c: ControlStart) => {
      if (world.controlRefused) throw world.controlRefused;
      handlers = c.handlers;
      lifecycle.push('control start');
      return { inProgress: () => [], stop: async () => void lifecycle.push('control stop') };
    },
  };
  const daemon = new Daemon({
    stateDir, config: testConfig(), provisioning: null, base: BASE, log: quietLog,
    staticDir: join(ROOT, 'webui', 'static'), text: staffText(null), ...o,
  }, adapters);
  return {
    daemon, stateDir, lifecycle,
    nft: () => {
      if (!nft) throw new Error('no driver yet');
      return nft;
    },
    handlers: () => {
      if (!handlers) throw new Error('no control socket yet');
      return handlers;
    },
    page: () => page,
    get controlRefused() {
      return world.controlRefused;
    },
    set controlRefused(e: Error | null) {
      world.controlRefused = e;
    },
  };
}

/** A feature that only records its lifecycle into `log`. */
export function recordingFeature(log: string[], id = 'rec'): Feature {
  return {
    id,
    init: () => void log.push(`${id} init`),
    prepare: () => void log.push(`${id} prepare`),
    start: () => void log.push(`${id} start`),
    stop: () => void log.push(`${id} stop`),
    handlers: () => ({ [`${id}.ping`]: () => 'pong' }),
    status: () => ({ alive: true }),
  };
}
