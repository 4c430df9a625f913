// utmctl's blocklist, allow and block commands: command line → control command, and the
// local `blocklist check FILE` that needs no daemon.
import { readFile } from 'node:fs/promises';
import { checkFeedText, isFeedFormat, type CheckSummary } from '../blocklist/checkFile.js';
import { durationArg, UsageError } from './args.js';
import { errorMessage } from '../errors/errorText.js';

export const BLOCKLIST_USAGE = `  blocklist status         feeds: last success, age, entries, rejected lines by reason, errors
  blocklist check FILE [--format plain|spamhaus-drop|spamhaus-jsonl|csv|range] [--column C]
                           parse and validate a feed file locally (no daemon needed)
  blocklist refresh [FEED] download and load every enabled feed (or one) now
  blocklist enable|disable FEED   turn a feed on or off on this box (kept across upgrades)
  blocklist add-feed FILE.json    add (or redefine) a feed; same shape as rules/feeds.json entries
  blocklist remove-feed FEED      remove a feed added with add-feed
  allow add ADDR [--note T] | allow del ADDR | allow list
                           addresses never blocked (added to the automatic allowlist)
  block add ADDR --for 24h [--note T] | block del ADDR | block list
                           block an address by hand; it expires by itself`;

export type Opts = Record<string, string | undefined>;

/** Control command for blocklist/allow/block command lines, or null if `pos` is none of them. Throws UsageError. */
export function routeBlocklist(pos: string[], o: Opts): { cmd: string; args: Record<string, unknown> } | null {
  const [a, b, c, d] = pos;
  if (a === 'blocklist') {
    if (b === 'status' && !c) return { cmd: 'blocklist.status', args: {} };
    if (b === 'refresh' && !d) return { cmd: 'blocklist.refresh', args: c ? { feed: c } : {} };
    if ((b === 'enable' || b === 'disable') && c && !d) return { cmd: `blocklist.${b}`, args: { feed: c } };
    if (b === 'remove-feed' && c && !d) return { cmd: 'blocklist.remove', args: { feed: c } };
    throw new UsageError(`unknown blocklist command: ${pos.slice(1).join(' ') || '(none)'}`);
  }
  if (a === 'allow') {
    if (b === 'list' && !c) return { cmd: 'allow.list', args: {} };
    if (b === 'add' && c && !d) return { cmd: 'allow.add', args: { entry: c, ...(o.note ? { note: o.note } : {}) } };
    if (b === 'del' && c && !d) return { cmd: 'allow.del', args: { entry: c } };
    throw new UsageError('usage: utmctl allow add|del ADDR, utmctl allow list');
  }
  if (a === 'block') {
    if (b === 'list' && !c) return { cmd: 'block.list', args: {} };
    if (b === 'del' && c && !d) return { cmd: 'block.del', args: { entry: c } };
    if (b === 'add' && c && !d) {
      if (!o.for) throw new UsageError('block add needs --for DURATION (e.g. --for 24h)');
      const ms = durationArg(o.for);
      return { cmd: 'block.add', args: { entry: c, seconds: Math.ceil(ms / 1000), ...(o.note ? { reason: o.note } : {}) } };
    }
    throw new UsageError('usage: utmctl block add ADDR --for 24h, utmctl block del ADDR, utmctl block list');
  }
  return null;
}

/** `blocklist add-feed FILE`: reads the feed definition locally. Throws UsageError. */
export async function readFeedFile(file: string | undefined): Promise<Record<string, unknown>> {
  if (!file) throw new UsageError('usage: utmctl blocklist add-feed FILE.json');
  try {
    const feed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return { feed };
  } catch (e) {
    throw new UsageError(`${file}: not readable JSON (${errorMessage(e)})`);
  }
}

/** `blocklist check FILE`: runs locally. Throws UsageError. */
export async function checkFile(file: string | undefined, o: Opts): Promise<CheckSummary> {
  if (!file) throw new UsageError('usage: utmctl blocklist check FILE [--format F]');
  const format = o.format ?? 'plain';
  if (!isFeedFormat(format)) throw new UsageError(`unknown format ${format}`);
  if (format === 'csv' && !o.column) throw new UsageError('csv needs --column (number or header name)');
  return checkFeedText(await readFile(file, 'utf8'), format, o.column);
}
