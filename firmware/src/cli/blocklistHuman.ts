// Human output of the blocklist, allow and block commands. Feed names, errors and samples
// come from outside: everything passes through forTerminal.
import { forTerminal } from '../text/escape.js';
import type { CheckSummary } from '../blocklist/checkFile.js';

const s = (v: unknown): string => {
  const text: unknown = v ?? '-';
  return forTerminal(String(text));
};
const time = (ms: unknown): string => (typeof ms === 'number' ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '-');
const reasons = (r: Record<string, number> | undefined): string =>
  Object.entries(r ?? {}).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${s(k)} ${v}`).join(', ') || 'none';

// The daemon's answers as these printers read them (JSON from the control socket; the
// handlers in blocklist/handlers.ts make them).
interface FeedLine {
  id: string; enabled: boolean; loaded: boolean; action: string; direction: string; category: string; usable: number;
  lastSuccessAt: number | null; ageSeconds: number | null; rejected?: Record<string, number>;
  lastError: string | null; lastErrorAt: number | null;
}
interface GroupLine { id: string; v4Singles: number; v4Nets: number; v6Singles: number; v6Nets: number }
interface RefreshLine { feedId: string; result: string; reason?: string; entries?: number; sync?: { added: number; deleted: number } }
interface ListLine { entry: string; addedAt?: number; note?: string; expiresAt?: number; remainingSeconds?: number; reason?: string }
interface ChangeResult { feed?: string; entry?: string; applied: boolean; expiresAt?: number }

/** Prints a blocklist/allow/block result; false if `cmd` is not one of them. */
export function printBlocklistHuman(cmd: string, r: unknown, out: (x: string) => void): boolean {
  if (cmd === 'blocklist.check') {
    const c = r as CheckSummary;
    out(`format     ${s(c.format)}\nlines      ${c.dataLines} with data\naccepted   ${c.accepted} (${c.merged} after merging)\n`);
    out(`rejected   ${c.rejectedTotal}: ${reasons(c.rejected)}\n`);
    if (Object.keys(c.carved).length) out(`carved     ${reasons(c.carved)} (protected part cut out, rest kept)\n`);
    out(`verdict    ${c.healthy ? 'would load' : `would be refused as a fault: ${s(c.fault)}`}\n`);
    for (const x of c.samples) out(`  e.g. ${x.line !== undefined ? `line ${x.line} ` : ''}${s(x.reason)}: ${s(x.text)}\n`);
    return true;
  }
  if (cmd === 'blocklist.status') {
    const st = r as { feeds: FeedLine[]; groups: GroupLine[]; warnings: string[] };
    for (const f of st.feeds) {
      if (!f.enabled) {
        out(`  off   ${s(f.id)}\n`);
        continue;
      }
      const state = f.lastError ? 'FAIL' : f.loaded ? 'ok  ' : 'wait';
      out(`  ${state}  ${s(f.id).padEnd(22)} ${s(f.action)}/${s(f.direction)} ${s(f.category)}  entries ${f.usable}  ` +
        `last success ${time(f.lastSuccessAt)} (age ${f.ageSeconds ?? '-'} s)\n`);
      if (f.rejected && Object.keys(f.rejected).length) out(`        rejected: ${reasons(f.rejected)}\n`);
      if (f.lastError) out(`        last error ${time(f.lastErrorAt)}: ${s(f.lastError)}\n`);
    }
    for (const g of st.groups) out(`  set group ${s(g.id)}: v4 ${g.v4Singles} addresses + ${g.v4Nets} ranges, v6 ${g.v6Singles} + ${g.v6Nets}\n`);
    for (const w of st.warnings) out(`  warning: ${s(w)}\n`);
    return true;
  }
  if (cmd === 'blocklist.refresh') {
    for (const x of r as RefreshLine[]) {
      out(`${s(x.feedId)}: ${s(x.result)}${x.reason ? ` (${s(x.reason)})` : ''}${x.entries !== undefined ? `, ${x.entries} entries` : ''}` +
        `${x.sync ? `; sets +${x.sync.added} -${x.sync.deleted}` : ''}\n`);
    }
    return true;
  }
  if (cmd === 'allow.list' || cmd === 'block.list') {
    const list = r as ListLine[];
    if (!list.length) out(cmd === 'allow.list' ? 'no added allowlist entries (LAN, gateway, box and collector are always allowed)\n' : 'no manual blocks\n');
    for (const x of list) {
      out(cmd === 'allow.list' ? `${s(x.entry)}  added ${time(x.addedAt)}  ${s(x.note)}\n`
        : `${s(x.entry)}  until ${time(x.expiresAt)} (${x.remainingSeconds} s left)  ${s(x.reason)}\n`);
    }
    return true;
  }
  if (cmd === 'blocklist.enable' || cmd === 'blocklist.disable' || cmd === 'blocklist.add' || cmd === 'blocklist.remove') {
    const x = r as ChangeResult;
    const verb = { 'blocklist.enable': 'turned on', 'blocklist.disable': 'turned off', 'blocklist.add': 'added', 'blocklist.remove': 'removed' }[cmd];
    out(`${s(x.feed)}: ${verb}${x.applied ? '' : ' (ruleset apply FAILED: see utmctl status)'}\n`);
    return true;
  }
  if (cmd === 'allow.add' || cmd === 'allow.del' || cmd === 'block.add' || cmd === 'block.del') {
    const x = r as ChangeResult;
    const verb = { 'allow.add': 'allowed', 'allow.del': 'no longer on the added allowlist', 'block.add': `blocked until ${time(x.expiresAt)}`, 'block.del': 'unblocked' }[cmd];
    out(`${s(x.entry)}: ${verb}${x.applied ? '' : ' (ruleset apply FAILED: see utmctl status)'}\n`);
    return true;
  }
  return false;
}
