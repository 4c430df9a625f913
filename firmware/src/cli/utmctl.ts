// utmctl: the technician's CLI. Talks to utmd over the unix socket in the state dir.
// Every command takes --json; human output neutralises control characters from the wire.
import { join } from 'node:path';
import { call, NotRunningError, RemoteError } from '../control/client.js';
import { SOCKET_NAME } from '../control/protocol.js';
import { hashPassword } from '../auth/password.js';
import { DEFAULT_STATE_DIR } from '../sys/paths.js';
import { parseArgs, str, UsageError, type ParsedArgs } from './args.js';
import { parseDuration } from './duration.js';
import { printHuman } from './human.js';

const USAGE = `usage: utmctl [--state-dir DIR] [--json] COMMAND

  status                   health of the box: mode, sensors, ruleset, upstream
  alerts [--limit N]       latest alerts, newest first, with their evidence
  incidents [--limit N]    incidents (related alerts on one device), most severe first, then newest
  mute add [--device MAC|IP] [--remote IP|PREFIX] [--for 24h|30m|7d] [--kind K] [--reason TEXT]
                           stop alerting for a device, a destination or both (optionally one kind)
  mute list                mutes, with their expiry
  mute del ID              remove a mute
  ruleset print            the ruleset utmd would apply (JSON for nft -j)
  ruleset check            nft -c of the rendered ruleset, and drift against the kernel
  password                 the page's admin password (generated when no bundle is installed)
  hash-password            read a password on stdin, print a hash for the provisioning bundle`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Maps a command line to a control command and its args. Throws UsageError. */
export function route(pos: string[], p: ParsedArgs): { cmd: string; args: Record<string, unknown> } {
  const [a, b, c] = pos;
  const limit = str(p, 'limit');
  if (a === 'incidents' && !b) return { cmd: 'incidents', args: limit ? { limit: Number(limit) } : {} };
  if (a === 'mute' && b === 'list' && !c) return { cmd: 'mute.list', args: {} };
  if (a === 'mute' && b === 'del' && c && pos.length === 3) return { cmd: 'mute.del', args: { id: Number(c) } };
  if (a === 'mute' && b === 'add' && !c) {
    const forText = str(p, 'for');
    return { cmd: 'mute.add', args: {
      device: str(p, 'device'), remote: str(p, 'remote'), kind: str(p, 'kind'), reason: str(p, 'reason'),
      forMs: forText === undefined ? null : parseDuration(forText),
    } };
  }
  if (a === 'status' && !b) return { cmd: 'status', args: {} };
  if (a === 'password' && !b) return { cmd: 'password', args: {} };
  if (a === 'alerts' && !b) return { cmd: 'alerts', args: limit ? { limit: Number(limit) } : {} };
  if (a === 'ruleset' && (b === 'print' || b === 'check')) return { cmd: `ruleset.${b}`, args: {} };
  throw new UsageError(`unknown command: ${pos.join(' ') || '(none)'}`);
}

async function main(argv: string[]): Promise<number> {
  const p = parseArgs(argv, ['state-dir', 'limit', 'device', 'remote', 'for', 'kind', 'reason'], ['json', 'help']);
  if (p.flags.has('help') || p.positional.length === 0) {
    process.stdout.write(`${USAGE}\n`);
    return p.flags.has('help') ? 0 : 64;
  }
  const json = p.flags.has('json');
  if (p.positional[0] === 'hash-password') {
    const pw = (await readStdin()).replace(/\r?\n$/, '');
    if (pw.length < 8) throw new UsageError('password must have at least 8 characters');
    process.stdout.write(`${await hashPassword(pw)}\n`);
    return 0;
  }
  const { cmd, args } = route(p.positional, p);
  const sock = join(str(p, 'state-dir') ?? DEFAULT_STATE_DIR, SOCKET_NAME);
  const result = await call(sock, cmd, args);
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else printHuman(cmd, result, (s) => process.stdout.write(s));
  if (cmd === 'ruleset.check' && !(result as { ok: boolean }).ok) return 1;
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`utmctl: ${e.message}\n${USAGE}\n`);
      process.exit(64);
    }
    if (e instanceof NotRunningError) {
      process.stderr.write(`utmctl: ${e.message}.\n  Is utmd running? Check: systemctl status utmd (or the --state-dir you gave it)\n`);
      process.exit(3);
    }
    if (e instanceof RemoteError) process.stderr.write(`utmctl: utmd refused: ${e.message}\n`);
    else process.stderr.write(`utmctl: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
