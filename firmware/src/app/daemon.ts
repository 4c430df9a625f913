// The composition root of utmd: wiring only. It builds every module from config, hands each
// the narrow ports it needs, and starts them in order; everything that needs root (nft, the
// ports, the sensors, sysctls, listening sockets) and the clock are adapters passed in
// (app/adapters.ts). start() restores the last-good ruleset before anything slow happens.
import { officePort } from './officePort.js';
import type { CaptureHub } from '../sensors/captureHub.js';
import { dirname, join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Provisioning } from '../config/provisioning.js';
import type { BasePolicy } from '../nft/policy.js';
import { loadCredential } from '../auth/credential.js';
import { SOCKET_NAME } from '../control/protocol.js';
import { LIVENESS_FILE_NAME } from '../control/liveness.js';
import { CHILDREN_DIR } from '../sys/childRecords.js';
import { scratchDir } from '../sys/paths.js';
import { describeRefusal, refusalConditionId, refusalFinding, type Refusal } from '../config/fallback.js';
import type { FeatureViews, WebServer } from '../../../webui/src/index.js';
import type { ControlPort, ControlStart, DaemonAdapters, PlannerPort, SensingPort } from './adapters.js';
import { AlertStore } from './alertStore.js';
import { AppService, type Timings } from './appService.js';
import { coreHandlers, type Handlers } from './commands.js';
import { Conditions } from './conditions.js';
import type { Feature, FeatureContext } from '../feature/contract.js';
import type { Logger } from './log.js';
import { RetriedStart } from '../sensors/retriedStart.js';
import { IdleCollector } from '../sys/idleCollector.js';
import { isStorageError } from '../errors/storageError.js';
import type { StaffText } from '../text/staffText.js';
import { prepareStateDir, removeTempFiles } from './stateDir.js';
import { listenBoth, loadSessionSecret, pageApp, prepareSecurePage, secureDeps, webDeps, type PagePorts, type SecurePage } from './web.js';
import type { SecurePorts } from './webSecure.js';

/** The running parts whose state `utmctl status` shows. */
interface StatusSources {
  planner: PlannerPort; sensing: SensingPort; capture: CaptureHub; control: RetriedStart<ControlPort>; page: RetriedStart<WebServer>;
}

export interface DaemonOptions {
  stateDir: string;
  config: Config;
  provisioning: Provisioning | null;
  base: BasePolicy;
  log: Logger;
  /** webui/static of the installed package. */
  staticDir: string;
  /** ms the entry point's early restore took; undefined/null: the daemon restores itself. */
  restoredMs?: number | null | undefined;
  /** Capabilities plugged in by the composition (feeds, devices, detectors). */
  features?: Feature[] | undefined;
  /** The features' view models for the page (app/compose.ts). */
  views?: (() => FeatureViews[]) | undefined;
  /** The words for people (message catalog), passed in by the entry point. */
  text: StaffText;
  /** Config or bundle files refused at start (utmd runs on their last-good copies or the defaults). */
  refusals?: Refusal[] | undefined;
  /** The state dir turned read-only under the running store (app/storage.ts onReadOnly). */
  onStoreReadOnly?: ((e: unknown) => void) | undefined;
}

/** What utmd logs and tells systemd once it runs. */
export interface Started {
  mode: string | null;
  timings: Timings;
}

export class Daemon {
  readonly conditions: Conditions;
  readonly app: AppService;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly features: readonly Feature[];
  private readonly stoppers: (() => Promise<void> | void)[] = [];
  /** Open from start() until stop(); the fatal handler reports storage errors to it. */
  private store: AlertStore | null = null;
  /** Keeps idle garbage from growing the heap (sys/idleCollector.ts). */
  private readonly collector: IdleCollector;

  constructor(private readonly o: DaemonOptions, private readonly adapters: DaemonAdapters) {
    this.now = adapters.now;
    this.startedAt = this.now();
    this.features = o.features ?? [];
    this.conditions = new Conditions(this.now);
    this.collector = new IdleCollector({ gc: adapters.gc, now: this.now });
    this.app = new AppService({
      config: o.config, provisioning: o.provisioning, base: o.base, log: o.log, now: this.now,
      conditions: this.conditions, features: this.features, nft: adapters.nft, cutter: adapters.cutter, flowtable: adapters.flowtable, flowtableCounter: adapters.flowtableCounter,
      storageFailed: (e, where) => this.store?.storage.noteFailure(e, where),
    });
  }

  get deviceId(): string {
    return this.o.provisioning?.deviceId ?? 'unprovisioned';
  }

  async start(): Promise<Started> {
    const { o, adapters, app } = this;
    const t0 = performance.now();
    // 1. Enforce the last-good ruleset first: the office is protected before anything slow.
    await app.restoreLastGood(o.restoredMs, t0);
    // Our own leftovers ended, temporary files removed, 0700/0600 enforced (app/stateDir).
    await prepareStateDir(o.stateDir, o.log);
    // the runtime dir outlives a restart of the unit (RuntimeDirectoryPreserve=restart): a
    // write a kill -9 interrupted there would stay until the next stop
    const runtime = scratchDir(o.stateDir);
    if (runtime !== o.stateDir) await removeTempFiles(runtime, o.log);
    // 2. Store, alerts and upstream; features load their persisted state.
    const store = AlertStore.open({
      stateDir: o.stateDir, config: o.config, provisioning: o.provisioning, deviceId: this.deviceId, startedAt: this.startedAt,
      now: this.now, log: o.log, conditions: this.conditions, text: o.text, features: this.features, onReadOnly: o.onStoreReadOnly,
    });
    this.store = store;
    this.stoppers.push(() => store.stop());
    // what a full state dir kept from being written is written once it takes writes again
    store.storage.onRecovered(() => void app.saveLastGood());
    store.start();
    // a refused file: a condition on the page, and an alert naming the fields (page, upstream)
    for (const r of o.refusals ?? []) {
      this.conditions.set(refusalConditionId(r), false, describeRefusal(r));
      store.raise(refusalFinding(r, this.now()));
    }
    // The box's one capture: features and the port watcher add taps; tcpdump runs once started.
    const capture = adapters.capture({
      now: this.now, recordDir: join(o.stateDir, CHILDREN_DIR),
      onHealth: (h) => this.conditions.set(`sensor:${h.id}`, h.ok, h.detail),
    });
    this.stoppers.push(() => capture.stop());
    for (const f of this.features) await f.init?.(this.featureContext(store, f, capture));
    // 3. Work out the network and apply the full policy; then the sysctls, which exist
    //    only once conntrack and br_netfilter are loaded.
    const planner = adapters.planner({
      config: o.config, now: this.now, log: o.log, conditions: this.conditions, onPlan: (p) => app.replan(p),
      recordDir: join(o.stateDir, CHILDREN_DIR), capture,
    });
    await app.firstApply(await planner.first(), t0);
    await adapters.sysctls(o.config, o.log);
    // 4. Sensors: ulogd2 → JSON over loopback UDP → typed events (needs the log rules above).
    //    The features first read what judging the first event needs (neighbour table).
    for (const f of this.features) await f.prepare?.();
    const featureList = [...this.features];
    const sensing = adapters.sensing({
      stateDir: o.stateDir, nflogGroup: o.config.sensors.nflogGroup,
      now: this.now, conditions: this.conditions, log: o.log, features: () => featureList, raise: (f) => store.raise(f),
    });
    this.stoppers.push(() => sensing.stop());
    await sensing.start();
    // 5. Features start their timers and children; then the port watcher, which re-plans
    //    when the evidence about the ports changes; then the technician socket and the page,
    //    each retried with backoff while it cannot listen (a condition, not a crash loop).
    capture.start();
    for (const f of this.features) {
      await f.start?.();
      this.stoppers.push(() => f.stop?.());
    }
    store.reporting.start();
    this.stoppers.push(() => store.reporting.stop());
    await planner.start();
    this.stoppers.push(() => planner.stop());
    const credential = await loadCredential(o.stateDir, o.provisioning, (c) => {
      o.log.error(`${c.refusedBundle}: login uses this box's own password (utmctl password) until a new bundle is installed`);
      this.conditions.set('admin-password', false, `${c.refusedBundle}; using this box's own password (utmctl password)`);
    }, (e) => o.log.error('the admin password check failed; the bundle\'s password stays in use', e));
    const secret = await loadSessionSecret(o.stateDir, o.log);
    const pagePorts = this.pagePorts(store);
    // The secure page (login and every action over HTTPS with the box's certificate) and the
    // technician view; the plain page stays read-only and links to it.
    let status: () => Record<string, unknown> = () => ({});
    const securePorts: SecurePorts = {
      stateDir: o.stateDir, config: o.config, provisioning: o.provisioning, now: this.now, startedAt: this.startedAt,
      log: o.log, conditions: this.conditions, plan: () => app.currentPlan(), planner,
      render: () => app.render(), lastApplyError: () => app.applyError(), status: () => status(),
    };
    const secure = await prepareSecurePage(securePorts);
    this.stoppers.push(() => secure.names.stop());
    const listener = pageApp(pagePorts, secureDeps(webDeps(pagePorts, credential, secret, o.staticDir), securePorts, secure),
      o.views?.() ?? []);
    const page = new RetriedStart<WebServer>({
      id: 'page', conditions: this.conditions, log: o.log, stop: (w) => w.close(), describe: (w) => `listening on port ${w.port} and ${secure.httpsPort} (HTTPS)`,
      start: () => listenBoth(adapters.listenPage, listener, o.config.ui.port, secure, o.log),
    });
    const control: RetriedStart<ControlPort> = new RetriedStart<ControlPort>({
      id: 'control', conditions: this.conditions, log: o.log, stop: (c) => c.stop(),
      describe: (c) => (c.path && dirname(c.path) !== o.stateDir ? `listening on ${c.path} (the state dir cannot be written)` : 'listening'),
      start: (): Promise<ControlPort> => listenControlIn(adapters.listenControl, [o.stateDir, scratchDir(o.stateDir)],
        this.handlers(store, credential, { planner, sensing, capture, control, page, secure })),
    });
    status = () => this.statusOf(store, { planner, sensing, capture, control, page });
    this.stoppers.push(() => control.stop());
    await control.start();
    // 6. The page, last: everything it shows exists by now.
    this.stoppers.push(() => page.stop());
    await page.start();
    // 7. Running: idle garbage is collected before V8 grows the heap for it.
    this.stoppers.push(() => this.collector.stop());
    this.collector.start();
    return { mode: app.currentPlan()?.mode ?? null, timings: app.timings };
  }

  /** Stops everything start() began, in reverse order, then closes the store. */
  async stop(): Promise<void> {
    for (const s of this.stoppers.reverse()) {
      try {
        await s();
      } catch (e) {
        this.o.log.error('stop step failed', e);
      }
    }
    this.stoppers.length = 0;
    await this.app.queue.idle();
    await this.app.nft.close();
    this.store?.close();
    this.store = null;
  }

  /** A storage error no boundary caught (disk full): counted and shown, not fatal. Returns
   *  false for any other error, or before the store is open. */
  absorbUncaught(e: unknown): boolean {
    if (!isStorageError(e) || !this.store) return false;
    this.store.storage.noteFailure(e, 'uncaught');
    return true;
  }

  /** The feature's scoped capabilities: its own repositories, our sets, the condition port. */
  private featureContext(store: AlertStore, f: Feature, capture: CaptureHub): FeatureContext {
    const { o, app } = this;
    return {
      stateDir: o.stateDir, config: o.config, provisioning: o.provisioning, base: o.base,
      log: o.log, now: this.now, repos: f.repositories?.(store.db), ruleset: app.nft, conditions: this.conditions, deviceId: this.deviceId,
      capture, nameDevice: store.nameDevice, cutConnections: () => app.cutConnections(),
      storageFailed: (e, where) => store.storage.absorb(e, `${f.id}: ${where}`),
      plan: () => app.currentPlan(),
      raise: (f) => store.raise(f),
      requestApply: () => app.apply(),
    };
  }

  private pagePorts(store: AlertStore): PagePorts {
    return {
      provisioning: this.o.provisioning, deviceId: this.deviceId, startedAt: this.startedAt, now: this.now,
      conditions: this.conditions, plan: () => this.app.currentPlan(), alerts: store.alerts, reporting: store.reporting, log: this.o.log,
      nameDevice: store.nameDevice,
      office: officePort({
        db: store.db, alerts: store.alerts, reporting: store.reporting.repo, now: this.now,
        onError: (e) => (isStorageError(e) ? store.storage.noteFailure(e, 'monthly report') : this.o.log.error('monthly report housekeeping failed', e)),
      }),
    };
  }

  /** What `utmctl status` (and the technician view) shows. */
  private statusOf(store: AlertStore, parts: StatusSources): Record<string, unknown> {
    return this.app.status({
      deviceId: this.deviceId, startedAt: this.startedAt, ports: parts.planner.status(), store: store.status(),
      sensors: parts.sensing.status(),
      capture: { ...parts.capture.counters(), health: parts.capture.health() },
      control: { inProgress: (parts.control.current()?.inProgress() ?? []).filter((c) => c.cmd !== 'status') },
      page: parts.page.current()?.connections() ?? null,
      listeners: { page: parts.page.status(), control: parts.control.status() },
      collector: this.collector.status(),
    });
  }

  private handlers(store: AlertStore, credential: Awaited<ReturnType<typeof loadCredential>>, parts: {
    secure: SecurePage;
  } & StatusSources): Handlers {
    const { app } = this;
    const core = coreHandlers({
      incidents: store.incidents, mutes: store.mutes, alerts: store.alerts, reporting: store.reporting, credential,
      explain: (a) => store.explain(a), nameDevice: store.nameDevice, now: this.now, recentAlerts: (n) => store.alerts.recent(n),
      render: () => app.render(), checkRuleset: () => app.check(),
      status: () => this.statusOf(store, parts),
      webCert: () => {
        const c = parts.secure.cert;
        return { source: c.source, fingerprint256: c.fingerprint256, spkiSha256: c.spkiSha256, notAfter: c.notAfter, subjectAltName: c.subjectAltName, httpsPort: parts.secure.httpsPort };
      },
    });
    const all: Handlers = { ...core };
    for (const f of this.features) Object.assign(all, f.handlers?.() ?? {});
    return all;
  }
}

/** Listens on the control socket in the first of `dirs` where it can be made (the state dir;
 *  the runtime dir when the state dir cannot be written: a flash turned read-only, EROFS), its
 *  liveness file beside it; utmctl looks in both (cli/utmctl.ts). Errors other than storage
 *  errors, and the last dir's, are thrown. */
export async function listenControlIn(listen: DaemonAdapters['listenControl'], dirs: readonly string[], handlers: ControlStart['handlers']): Promise<ControlPort> {
  const tried = [...new Set(dirs)];
  for (const [i, dir] of tried.entries()) {
    try {
      return await listen({ socketPath: join(dir, SOCKET_NAME), livenessPath: join(dir, LIVENESS_FILE_NAME), handlers });
    } catch (e) {
      if (i === tried.length - 1 || !isStorageError(e)) throw e;
    }
  }
  throw new Error('no directory for the control socket');
}
