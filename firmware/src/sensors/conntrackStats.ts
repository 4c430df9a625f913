// Kernel conntrack statistics (`conntrack -S`): a pure parser of its per-CPU lines and an
// adapter that runs it. Summed counters (drop, insert_failed, early_drop, ...) are what the
// kernel itself lost, to compare with the flow events that reached us through ulogd2.
import { systemBin } from '../sys/bin.js';
import { run, type RunResult } from '../sys/run.js';

export interface ConntrackCpuStats {
  cpu: number;
  counters: Record<string, number>;
}

export interface ConntrackStats {
  cpus: ConntrackCpuStats[];
  /** Sum of each counter over all CPUs. */
  totals: Record<string, number>;
}

export class ConntrackStatsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConntrackStatsError';
  }
}

const CPU_LINE = /^cpu=(\d{1,4})\s+(.*)$/;
const PAIR = /^([a-z_]{1,32})=(\d{1,20})$/;

/** Parse `conntrack -S` output. Throws ConntrackStatsError when no cpu line is found. */
export function parseConntrackStats(text: string): ConntrackStats {
  const cpus: ConntrackCpuStats[] = [];
  const totals: Record<string, number> = {};
  for (const raw of text.split('\n').slice(0, 4096)) {
    const m = CPU_LINE.exec(raw.trim());
    if (!m) continue; // banners such as "conntrack v1.4.7 ..." go to stderr; tolerate them
    const counters: Record<string, number> = {};
    for (const tok of (m[2] ?? '').split(/\s+/)) {
      const p = PAIR.exec(tok);
      if (!p) continue;
      const [, key = '', value] = p;
      const n = Number(value);
      if (!Number.isSafeInteger(n)) continue;
      counters[key] = n;
      totals[key] = (totals[key] ?? 0) + n;
    }
    cpus.push({ cpu: Number(m[1]), counters });
  }
  if (cpus.length === 0) throw new ConntrackStatsError('conntrack -S: no per-cpu lines in output');
  return { cpus, totals };
}

/** Counters whose growth means the kernel lost or refused flows. */
export const CONNTRACK_LOSS_COUNTERS = ['drop', 'early_drop', 'insert_failed', 'error'] as const;

/** Sum of the loss counters in `stats`. */
export function conntrackLossTotal(stats: ConntrackStats): number {
  return CONNTRACK_LOSS_COUNTERS.reduce((s, k) => s + (stats.totals[k] ?? 0), 0);
}

export type Runner = (argv: readonly string[], opts?: { timeoutMs?: number }) => Promise<RunResult>;

/**
 * Run `conntrack -S` (optionally behind `argvPrefix`, e.g. `ip netns exec NS`) and parse it.
 * The program path is absolute on purpose: PATH may hold look-alikes (node_modules/.bin).
 * Throws RunError from the runner or ConntrackStatsError.
 */
export async function readConntrackStats(
  runner: Runner = run, argvPrefix: readonly string[] = [], conntrackPath = systemBin('conntrack'),
): Promise<ConntrackStats> {
  const res = await runner([...argvPrefix, conntrackPath, '-S'], { timeoutMs: 5000 });
  return parseConntrackStats(res.stdout);
}
