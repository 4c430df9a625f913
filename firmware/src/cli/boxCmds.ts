// utmctl commands about the box itself rather than the daemon: `update status` (A/B slots)
// and `diag` (the archive for the provider). Both work when utmd is down.
import { dirname } from 'node:path';
import { writeDiag } from '../diag/collect.js';
import { controlSockets } from './controlSockets.js';
import { DEFAULT_PROVISIONING, DEFAULT_STATE_DIR } from '../sys/paths.js';
import { formatUpdateStatus } from '../update/status.js';
import { readUpdateStatus } from '../update/statusReader.js';
import { str, UsageError, type ParsedArgs } from './args.js';

export const BOX_USAGE = `  update status            firmware slots A/B: versions, which one runs and boots next, the last results
  diag [--out FILE]        write a tar.gz for the provider (versions, conditions, ruleset, logs,
                           feed status; passwords, hashes and keys removed)`;

/** Runs `update …` or `diag`; returns the exit code, or undefined when argv is another command. */
export async function runBoxCommand(p: ParsedArgs, json: boolean, write: (s: string) => void): Promise<number | undefined> {
  const [a, b] = p.positional;
  if (a === 'update') {
    if (b !== 'status' || p.positional.length !== 2) throw new UsageError('usage: utmctl update status');
    const s = await readUpdateStatus();
    write(json ? `${JSON.stringify(s, null, 2)}\n` : formatUpdateStatus(s));
    return 0;
  }
  if (a === 'diag') {
    if (p.positional.length !== 1) throw new UsageError('usage: utmctl diag [--out FILE]');
    const stateDir = str(p, 'state-dir') ?? DEFAULT_STATE_DIR;
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    const out = str(p, 'out') ?? `otasuke-diag-${stamp}.tar.gz`;
    const r = await writeDiag({ stateDir, sockets: controlSockets(p), out, etcDir: dirname(DEFAULT_PROVISIONING) });
    write(json ? `${JSON.stringify(r, null, 2)}\n` : `wrote ${r.out}: ${r.files.length} files${r.missing.length ? `; not available: ${r.missing.map((m) => m.split(':')[0]).join(', ')}` : ''}\n`);
    return 0;
  }
  return undefined;
}
