// utmd: the daemon. `utmd [--state-dir DIR] [--config FILE] [--provisioning FILE]`, or
// `utmd --check-config FILE` / `--check-provisioning FILE` to validate a file and exit.
// This entry is deliberately tiny: it puts the last-good ruleset back into the kernel
// first, and only then loads the rest of the daemon (express, SQLite, schemas).
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { systemBin } from '../sys/bin.js';
import { run } from '../sys/run.js';
import { DEFAULT_STATE_DIR, LAST_GOOD_FILE } from '../sys/paths.js';
import { keepMallocTunablesToSelf } from '../sys/mallocTunables.js';
import { handOver, heapPlan, ownMaps, parentGone, takeDrawn } from '../sys/heapRoom.js';
import { systemdNotify } from '../sys/sdNotify.js';
import { parseArgs, str } from './args.js';

const VALUED = ['state-dir', 'config', 'provisioning', 'check-config', 'check-provisioning'];

/** Our inet table's name, from the first bytes of a rendered document (the renderer names it first). */
function tableNameOf(head: string): string | null {
  return /\{"table":\{"family":"inet","name":"([A-Za-z0-9_-]{1,64})"\}\}/.exec(head)?.[1] ?? null;
}

/** True when the kernel still holds our inet table (utmd restarted, the box did not). */
async function stillInKernel(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  let head: string;
  try {
    const buf = Buffer.alloc(1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
  const name = tableNameOf(head);
  if (!name) return false;
  const r = await run([systemBin('nft'), '-j', '-t', 'list', 'tables', 'inet'], { timeoutMs: 10_000, allowFailure: true });
  return r.code === 0 && r.stdout.includes(`"name": "${name}"`);
}

/**
 * Re-applies STATE/ruleset.last-good.json with nft; returns the ms it took, or null. When the
 * kernel still holds our tables (a restart of utmd, not of the box) they are left alone: they
 * enforce what the last utmd applied, and replacing them would empty the device sightings and
 * byte counters that the first apply keeps (nft/keepSets.ts). Returns 0 then.
 */
async function restoreEarly(stateDir: string): Promise<number | null> {
  const file = join(stateDir, LAST_GOOD_FILE);
  if (!existsSync(file)) return null;
  const t0 = performance.now();
  try {
    if (await stillInKernel(file)) {
      process.stderr.write('utmd: our ruleset is still in the kernel; kept as it is until the first apply\n');
      return 0;
    }
    await run([systemBin('nft'), '-j', '-f', file], { timeoutMs: 120_000 });
    return performance.now() - t0;
  } catch (e) {
    // The daemon tries again and reports it as a condition; the office keeps whatever runs now.
    process.stderr.write(`utmd: early restore of the last-good ruleset failed: ${(e as Error).message}\n`);
    return null;
  }
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, VALUED, ['help']);
  const m = await import('./utmdMain.js');
  if (args.flags.has('help')) {
    process.stdout.write(`${m.USAGE}\n`);
    return 0;
  }
  const cc = str(args, 'check-config');
  if (cc) return await m.checkFile(cc, 'config');
  const cp = str(args, 'check-provisioning');
  if (cp) return await m.checkFile(cp, 'provisioning');
  await m.runDaemon(args, null);
  return -1;
}

async function daemon(argv: string[]): Promise<void> {
  const args = parseArgs(argv, VALUED, ['help']);
  const restoredMs = await restoreEarly(str(args, 'state-dir') ?? DEFAULT_STATE_DIR);
  const m = await import('./utmdMain.js');
  await m.runDaemon(args, restoredMs);
}

/**
 * A daemon whose malloc heap cannot grow hands its unit over to a fresh process, or says so
 * (sys/heapRoom.ts). Resolves false when this process is to exit (a fresh one took over).
 */
async function heapRoom(startEnv: NodeJS.ProcessEnv): Promise<boolean> {
  const drawn = takeDrawn();
  if (drawn && !(await parentGone(drawn.parent))) {
    process.stderr.write(`utmd: the process that handed over (PID ${drawn.parent}) is still running; leaving the unit to it\n`);
    return false;
  }
  // systemd's watchdog is this process's now: say so to utmd's children, as systemd would have
  if (drawn && process.env.WATCHDOG_USEC !== undefined) process.env.WATCHDOG_PID = String(process.pid);
  const plan = heapPlan({
    maps: ownMaps(), env: startEnv, execPath: process.execPath, execArgv: process.execArgv,
    argv: process.argv, pid: process.pid, drawn,
  });
  if (plan.kind === 'note') process.stderr.write(plan.line);
  if (plan.kind !== 'handOver') return true;
  const took = await handOver(plan.plan, (pid) => systemdNotify([`--pid=${pid}`]), (line) => process.stderr.write(line));
  return !took;
}

const startEnv = { ...process.env }; // as systemd gave it: a fresh process gets it whole
keepMallocTunablesToSelf(); // before the first child (restoreEarly's nft)
const argv = process.argv.slice(2);
const oneShot = argv.some((a) => a === '--help' || a.startsWith('--check-'));
(oneShot ? main(argv) : heapRoom(startEnv).then(async (stay) => (stay ? daemon(argv).then(() => -1) : 0))).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  async (e: unknown) => {
    const m = await import('./utmdMain.js');
    process.exit(m.reportFatal(e));
  },
);
