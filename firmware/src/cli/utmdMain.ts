// utmd's main, loaded by utmd.ts after the last-good ruleset is back in the kernel: the
// heavy modules (express, SQLite, zod schemas) load here, never before that restore.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BasePolicySchema } from '../nft/policy.js';
import { ConfigError, loadConfig, loadProvisioning, parseWith } from '../config/load.js';
import { ConfigSchema } from '../config/schema.js';
import { ProvisioningSchema } from '../config/provisioning.js';
import { Daemon } from '../app/daemon.js';
import { composeFeatures } from '../app/compose.js';
import { stderrLogger } from '../app/log.js';
import { DEFAULT_CONFIG, DEFAULT_PROVISIONING, DEFAULT_STATE_DIR, packageRoot } from '../sys/paths.js';
import { SdNotifier, systemdNotify } from '../sys/sdNotify.js';
import { str, UsageError, type ParsedArgs } from './args.js';

export const USAGE = `usage: utmd [--state-dir DIR] [--config FILE] [--provisioning FILE]
       utmd --check-config FILE | --check-provisioning FILE`;

/** Validates one file; returns the exit code. */
export function checkFile(file: string, kind: 'config' | 'provisioning'): number {
  try {
    const text = readFileSync(file, 'utf8');
    if (kind === 'config') parseWith(ConfigSchema, text, file);
    else parseWith(ProvisioningSchema, text, file);
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

/** Runs the daemon until a signal; `restoredMs` is how long the early restore took (or null). */
export async function runDaemon(args: ParsedArgs, restoredMs: number | null): Promise<void> {
  const log = stderrLogger();
  const stateDir = str(args, 'state-dir') ?? DEFAULT_STATE_DIR;
  const configFile = str(args, 'config') ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  const provFile = str(args, 'provisioning') ?? (existsSync(DEFAULT_PROVISIONING) ? DEFAULT_PROVISIONING : undefined);
  const config = await loadConfig(configFile);
  const provisioning = await loadProvisioning(provFile);
  const root = packageRoot();
  const basePath = join(root, 'rules', 'base-policy.json');
  const base = parseWith(BasePolicySchema, readFileSync(basePath, 'utf8'), basePath);

  const features = composeFeatures({ config, provisioning, stateDir, root });
  const daemon = new Daemon({ stateDir, config, provisioning, base, log, features, staticDir: join(root, 'webui', 'static'), restoredMs });
  const notifier = new SdNotifier({ env: process.env, pid: process.pid, run: systemdNotify, onError: (e) => log.warn(`sd_notify: ${(e as Error).message}`) });
  let stopping = false;
  const stop = (sig: string): void => {
    if (stopping) return;
    stopping = true;
    log.info(`${sig}: stopping (the ruleset stays in the kernel)`);
    void notifier.stop().then(() => daemon.stop()).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await daemon.start();
  log.info(`running: ${daemon.plan?.mode ?? '?'} mode, state in ${stateDir}`, daemon.timings);
  await notifier.ready(`running: ${daemon.plan?.mode ?? '?'} mode`);
}

/** Prints why utmd cannot start and returns the exit code. */
export function reportFatal(e: unknown): number {
  if (e instanceof UsageError) process.stderr.write(`utmd: ${e.message}\n${USAGE}\n`);
  else if (e instanceof ConfigError) process.stderr.write(`utmd: bad ${e.file}\n${e.problems.map((p) => `  - ${p}`).join('\n')}\n`);
  else process.stderr.write(`utmd: cannot start: ${(e as Error).stack ?? String(e)}\n`);
  return e instanceof UsageError ? 64 : 1;
}
