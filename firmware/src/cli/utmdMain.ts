// utmd's main, loaded by utmd.ts after the last-good ruleset is back in the kernel: the
// heavy modules (express, SQLite, zod schemas) load here, never before that restore.
import { knownWeakPasswordOf } from '../auth/weakPasswords.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BasePolicySchema } from '../nft/policy.js';
import { ConfigError, parseWith } from '../config/load.js';
import { describeRefusal, loadConfigWithFallback, loadProvisioningWithFallback } from '../config/fallback.js';
import { ConfigSchema } from '../config/schema.js';
import { ProvisioningSchema } from '../config/provisioning.js';
import { Daemon } from '../app/daemon.js';
import { systemAdapters } from '../app/adapters.js';
import { composeFeatures } from '../app/compose.js';
import { stderrLogger } from '../app/log.js';
import { DEFAULT_CONFIG, DEFAULT_PROVISIONING, DEFAULT_STATE_DIR, packageRoot } from '../sys/paths.js';
import { SdNotifier, systemdNotify } from '../sys/sdNotify.js';
import { str, UsageError, type ParsedArgs } from './args.js';
import { staffText } from '../../../webui/src/index.js';

export const USAGE = `usage: utmd [--state-dir DIR] [--config FILE] [--provisioning FILE]
       utmd --check-config FILE | --check-provisioning FILE`;

/** Validates one file; returns the exit code. */
export async function checkFile(file: string, kind: 'config' | 'provisioning'): Promise<number> {
  try {
    const text = readFileSync(file, 'utf8');
    if (kind === 'config') parseWith(ConfigSchema, text, file);
    else {
      const p = parseWith(ProvisioningSchema, text, file);
      // The bundle carries a hash only: try the known example passwords against it.
      if (await knownWeakPasswordOf(p.admin.passwordHash) !== null) {
        process.stderr.write(`${file}: refused\n  - admin.passwordHash: made from a known example password (e.g. the one in provisioning.example.json); make a new one with \`utmctl hash-password\`\n`);
        return 1;
      }
    }
    process.stdout.write(`${file}: OK (${kind})\n`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${file}: refused\n${e.problems.map((p) => `  - ${p}`).join('\n')}\n`);
      return 1;
    }
    process.stderr.write(`${file}: ${(e as Error).message}\n`);
    return 1;
  }
}

/** utmd's exit status when it stops to be started again (EX_TEMPFAIL, sysexits.h). */
export const EXIT_RESTART = 75;
/** A restart for a read-only state dir waits until utmd has run this long. */
const READ_ONLY_RESTART_AFTER_MS = 60_000;

/** Runs the daemon until a signal; `restoredMs` is how long the early restore took (or null). */
export async function runDaemon(args: ParsedArgs, restoredMs: number | null): Promise<void> {
  const log = stderrLogger();
  // Every file utmd (and a child) creates is 0600 and every dir 0700 unless chosen otherwise.
  process.umask(0o077);
  const stateDir = str(args, 'state-dir') ?? DEFAULT_STATE_DIR;
  const configFile = str(args, 'config') ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  const provFile = str(args, 'provisioning') ?? (existsSync(DEFAULT_PROVISIONING) ? DEFAULT_PROVISIONING : undefined);
  // a refused file never stops utmd: it runs on the last accepted copy (or the defaults) and says so
  const problem = (what: string, e: unknown): void => log.warn(`${what}: not usable`, e);
  const cfg = await loadConfigWithFallback(configFile, stateDir, problem);
  const prov = await loadProvisioningWithFallback(provFile, stateDir, problem);
  const config = cfg.value;
  const provisioning = prov.value;
  const refusals = [cfg.refusal, prov.refusal].filter((r) => r !== null);
  for (const r of refusals) log.error(describeRefusal(r));
  const root = packageRoot();
  const basePath = join(root, 'rules', 'base-policy.json');
  const base = parseWith(BasePolicySchema, readFileSync(basePath, 'utf8'), basePath);

  const { features, views } = composeFeatures({ config, provisioning, stateDir, root });
  const startedAt = performance.now(); // monotonic: the wall clock may be set at boot
  const daemon = new Daemon({ stateDir, config, provisioning, base, log, features, views, staticDir: join(root, 'webui', 'static'), restoredMs, refusals,
    text: staffText(provisioning?.desk ?? null), onStoreReadOnly: (e) => restartForReadOnly(e) }, systemAdapters({ stateDir, tableName: base.tableName, log }));
  const notifier = new SdNotifier({ env: process.env, pid: process.pid, run: systemdNotify, onError: (e) => log.warn(`sd_notify: ${(e as Error).message}`) });
  let stopping = false;
  const stop = (sig: string, code = 0): void => {
    if (stopping) return;
    stopping = true;
    log.info(`${sig}: stopping (the ruleset stays in the kernel)`);
    void notifier.stop().then(() => daemon.stop()).then(() => process.exit(code));
  };
  // The flash under the state dir turned read-only while utmd runs: the store on it takes no
  // more alerts or messages, so the monitoring centre would hear nothing more (silence) and
  // the page would miss what happens. Started again, utmd runs its store in memory from a copy
  // of the disk's, alerts "storage failed" and goes on reporting (app/alertStore.ts). Under
  // systemd (Restart=always) utmd therefore stops itself, once it has run a minute (no fast
  // loop, whatever happens); run by hand, nothing would start it again, so it goes on as it is.
  function restartForReadOnly(e: unknown): void {
    if (!process.env['INVOCATION_ID']) {
      log.error('the state dir turned read-only: alerts are held in memory and the monitoring centre hears nothing new until utmd is started again (then its store runs in memory)', e);
      return;
    }
    const waitMs = Math.max(0, READ_ONLY_RESTART_AFTER_MS - (performance.now() - startedAt));
    log.error(`the state dir turned read-only: restarting in ${Math.ceil(waitMs / 1000)} s, so that the store runs in memory and the monitoring centre hears of it (systemd starts utmd again)`, e);
    setTimeout(() => stop('state dir read-only', EXIT_RESTART), waitMs);
  }
  // Last line of defence for a write path that no boundary caught: a storage error (disk
  // full, I/O error) is counted and shown, never the end of enforcement and the page. Any
  // other uncaught error still ends utmd (systemd restarts it; the ruleset stays).
  const fatal = (e: unknown): void => {
    if (daemon.absorbUncaught(e)) return;
    log.error('uncaught error; exiting (the ruleset stays in the kernel)', e);
    process.exit(70);
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  const started = await daemon.start();
  log.info(`running: ${started.mode ?? '?'} mode, state in ${stateDir}`, started.timings);
  await notifier.ready(`running: ${started.mode ?? '?'} mode`);
}

/** Prints why utmd cannot start and returns the exit code. */
export function reportFatal(e: unknown): number {
  if (e instanceof UsageError) process.stderr.write(`utmd: ${e.message}\n${USAGE}\n`);
  else if (e instanceof ConfigError) process.stderr.write(`utmd: bad ${e.file}\n${e.problems.map((p) => `  - ${p}`).join('\n')}\n`);
  else process.stderr.write(`utmd: cannot start: ${(e as Error).stack ?? String(e)}\n`);
  return e instanceof UsageError ? 64 : 1;
}
