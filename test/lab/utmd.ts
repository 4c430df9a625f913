// Starts the real daemon in the lab's box namespace and talks to it with utmctl, following
// the contract: `node firmware/bin/utmd --state-dir DIR --config FILE [--provisioning FILE]`
// logs to stderr, creates DIR/utmd.sock, and `utmctl --state-dir DIR status --json` answers
// once it is up. Also renders the lab's config for utmd (draft schema owned by the lead).
import { access, mkdir, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from './lab.js';
import { REPO_ROOT } from './lab.js';
import { waitFor } from './poll.js';
import type { LabProcess } from './process.js';
import { run, runResult, type RunResult } from './run.js';

export const UTMD_BIN = join(REPO_ROOT, 'firmware/bin/utmd');
export const UTMCTL_BIN = join(REPO_ROOT, 'firmware/bin/utmctl');

export class UtmdMissingError extends Error {
  override name = 'UtmdMissingError';
}

export class UtmdStartError extends Error {
  override name = 'UtmdStartError';
}

/** The config utmd gets in this lab: mode, ports, LAN prefixes, blocklist, UI port, upstream collector (pure). */
export function labUtmdConfig(lab: Lab, blocklist: readonly string[] = [lab.internet.malware.v4, lab.internet.malware.v6]): Record<string, unknown> {
  return {
    mode: lab.mode,
    interfaces: lab.mode === 'bridge'
      ? { wan: lab.box.wanIf, lan: lab.segment2 ? [lab.box.lanIf, 'eth2'] : [lab.box.lanIf], bridge: 'br0' }
      : { wan: lab.box.wanIf, lan: [lab.box.lanIf] },
    lan: { prefixes: [lab.plan.lanPrefix.v4, ...(lab.box.lanAddress.v6 ? [lab.plan.lanPrefix.v6] : [])] },
    blocklist: { local: [...blocklist] },
    ui: { port: 80 },
    upstream: { host: lab.internet.collector.v4, port: 514 },
    // Router mode's DNS forwarder must never reach for the host's resolvers: pin it to a
    // lab "internet" address (tests that resolve names start a resolver there). The lab's
    // internet is the documentation ranges, which dnsmasq's rebinding protection counts as
    // private: the lab's internet names (*.example, RFC 2606) are allowed to point there.
    ...(lab.mode === 'router' ? { router: { dnsServers: [lab.internet.feeds.v4], dnsRebindAllowed: ['example'] } } : {}),
    // no internet in the lab: the shipped feeds' real URLs are never tried
    feeds: { shipped: false },
  };
}

/** A valid provisioning bundle for lab tests (collector in `wan`, a test desk). The hash is
 *  well-formed but matches no password; pass `admin` to log in. Override any field. */
export function labProvisioning(deviceId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 1,
    deviceId,
    upstream: { host: '198.51.100.10', port: 514 },
    desk: { name: 'テストお助け隊 相談窓口', phone: '0120-000-000' },
    language: 'ja',
    admin: { passwordHash: 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=' },
    ...over,
  };
}

export interface Utmd {
  proc: LabProcess;
  stateDir: string;
  configPath: string;
  /** utmd's stderr and stdout, mirrored to this file. */
  logPath: string;
  /** Runs `utmctl --state-dir DIR ARGS...` (on the host: the control socket is a file); never throws on exit code. */
  ctl(args: readonly string[]): Promise<RunResult>;
  /** `utmctl status --json`, parsed; throws CommandError/SyntaxError. */
  status(): Promise<unknown>;
  stop(): Promise<void>;
}

export interface StartUtmdOptions {
  /** Config object written to FILE (default labUtmdConfig(lab)). */
  config?: Record<string, unknown>;
  /** Provisioning bundle written to a file and passed with --provisioning. */
  provisioning?: Record<string, unknown>;
  /** State dir (default LAB_DIR/state). */
  stateDir?: string;
  /** How long to wait for `utmctl status` to answer (default 30 s). */
  readyTimeoutMs?: number;
  /** Extra lines of utmd output go here too (e.g. the demo's console). */
  onOutput?: (text: string) => void;
  /** Node flags before the script (memory benches pass the unit's, test/bench/compiled.ts). */
  nodeFlags?: readonly string[];
  /** Another compiled utmd to run instead of UTMD_BIN (benches comparing builds in one run). */
  utmdBin?: string;
  /** Extra environment, e.g. RUNTIME_DIRECTORY as systemd gives the unit (sys/paths.ts scratchDir). */
  env?: Record<string, string>;
}

/** Starts utmd in the box namespace and waits until utmctl status answers; throws UtmdMissingError, UtmdStartError. */
export async function startUtmd(lab: Lab, opts: StartUtmdOptions = {}): Promise<Utmd> {
  try {
    await access(UTMD_BIN);
  } catch (e) {
    throw new UtmdMissingError(`${UTMD_BIN} does not exist yet`, { cause: e });
  }
  const stateDir = opts.stateDir ?? join(lab.dir, 'state');
  await mkdir(stateDir, { recursive: true });
  const configPath = join(lab.dir, 'utmd.json');
  await writeFile(configPath, `${JSON.stringify(opts.config ?? labUtmdConfig(lab), null, 2)}\n`);
  const args = ['--state-dir', stateDir, '--config', configPath];
  if (opts.provisioning !== undefined) {
    const provisioningPath = join(lab.dir, 'provisioning.json');
    await writeFile(provisioningPath, `${JSON.stringify(opts.provisioning, null, 2)}\n`);
    args.push('--provisioning', provisioningPath);
  }
  const logPath = join(lab.dir, 'utmd.log');
  const proc = await lab.spawn(lab.ns.box, [process.execPath, ...(opts.nodeFlags ?? []), opts.utmdBin ?? UTMD_BIN, ...args], {
    cwd: REPO_ROOT,
    ...(opts.env ? { env: opts.env } : {}),
    onOutput: (_stream, text) => {
      void appendFile(logPath, text).catch((e: unknown) => process.stderr.write(`lab: cannot write ${logPath}: ${String(e)}\n`));
      opts.onOutput?.(text);
    },
  });
  // utmctl finds utmd's socket in the runtime dir too, as on the box (cli/utmctl.ts)
  const runtimeDir = opts.env?.['RUNTIME_DIRECTORY'];
  const dirs = ['--state-dir', stateDir, ...(runtimeDir ? ['--runtime-dir', runtimeDir] : [])];
  const ctl = (a: readonly string[]): Promise<RunResult> => runResult([process.execPath, UTMCTL_BIN, ...dirs, ...a], { cwd: REPO_ROOT });
  const status = async (): Promise<unknown> => JSON.parse(await run([process.execPath, UTMCTL_BIN, ...dirs, 'status', '--json'], { cwd: REPO_ROOT })) as unknown;
  const ready = await waitFor(async () => {
    if (proc.exitStatus() !== undefined) return 'exited';
    await status();
    return 'up';
  }, { what: 'utmctl status to answer', timeoutMs: opts.readyTimeoutMs ?? 30_000, intervalMs: 200 });
  if (ready === 'exited') {
    throw new UtmdStartError(`utmd exited (${JSON.stringify(proc.exitStatus())}) before it was up; stderr: ${proc.stderr().slice(-3000)}`);
  }
  return { proc, stateDir, configPath, logPath, ctl, status, stop: () => proc.stop() };
}
