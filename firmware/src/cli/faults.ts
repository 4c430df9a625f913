// Which answers of utmd report a fault, so that utmctl exits non-zero on every fault it shows
// (a script or a technician's `&&` must not go on after a failed refresh or apply).
// Pure: command name and answer in, the faults' one-line descriptions out.

/** utmctl's exit codes (documented in the README). */
export const EXIT = { ok: 0, fault: 1, notRunning: 3, notAnswering: 4, busy: 5, usage: 64 } as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Faults reported in `result` of command `cmd`; empty when the command fully succeeded. */
export function faultsOf(cmd: string, result: unknown): string[] {
  const out: string[] = [];
  if (cmd === 'blocklist.refresh' && Array.isArray(result)) {
    for (const r of result) {
      if (!isObj(r) || r.result !== 'fault') continue;
      const reason: unknown = r.reason ?? 'fault';
      out.push(`feed ${String(r.feedId)}: ${String(reason)}`);
    }
  }
  if (!isObj(result)) return out;
  if (cmd === 'ruleset.check' && result.ok === false) out.push('ruleset check found a problem');
  if (cmd === 'upstream.status' && result.fault === true) out.push('the monitoring centre is not hearing from the box');
  // allow add/del, blocklist enable/disable/add-feed/remove-feed: the change is stored but
  // the ruleset could not be applied (the previous one stays in force)
  if (result.applied === false) out.push('saved, but the new ruleset could not be applied (the previous one stays in force)');
  // device quarantine/release/approve: the decision is stored but the kernel set was not updated
  if (result.enforced === false) out.push('saved, but the kernel could not be updated (not in force yet)');
  return out;
}
