// utmctl: the technician's CLI. Talks to utmd over the unix socket in the state dir (or, when
// utmd could not make it there, a read-only state dir, in its runtime dir).
// Every command takes --json; human output neutralises control characters from the wire.
import { BusyError, callAny, NotAnsweringError, NotRunningError, RemoteError } from '../control/client.js';
import { EXIT, faultsOf } from './faults.js';
import { hashPassword } from '../auth/password.js';
import { describeWeak, weakPasswordReason } from '../auth/weakPasswords.js';
import { DEFAULT_RUNTIME_DIR } from '../sys/paths.js';
import { controlSockets } from './controlSockets.js';
import { durationArg, parseArgs, str, UsageError, type ParsedArgs } from './args.js';
import { printHuman, type CliWords } from './human.js';
import { durationText } from '../../../webui/src/i18n/upstream.js';

/** The technician reads English; the words come from the one catalog. */
const WORDS: CliWords = { duration: (ms) => durationText(ms, 'en') };
import { BLOCKLIST_USAGE, checkFile, readFeedFile, routeBlocklist } from './blocklistCmds.js';
import { BOX_USAGE, runBoxCommand } from './boxCmds.js';

const USAGE = `usage: utmctl [--state-dir DIR] [--runtime-dir DIR] [--json] COMMAND

  --runtime-dir: where utmd listens when its state dir cannot be written (default: $RUNTIME_DIRECTORY,
  else ${DEFAULT_RUNTIME_DIR} with the default state dir)

  status                   health of the box: mode, sensors, ruleset, upstream
  alerts [--limit N]       latest alerts, newest first, with their evidence
  upstream status          the link to the monitoring centre: transport, peer, certificate, connected since,
                           last confirmed message, queue, overflow losses (exit 1 when it is at fault)
  incidents [--limit N]    incidents (related alerts on one device), most severe first, then newest
  mute add [--device MAC|IP] [--remote IP|PREFIX] [--for 24h|30m|7d] [--kind K] [--reason TEXT]
                           stop alerting for a device, a destination or both (optionally one kind)
  mute list                mutes, with their expiry
  mute del ID              remove a mute
  ruleset print            the ruleset utmd would apply (JSON for nft -j)
  ruleset check            nft -c of the rendered ruleset, and drift against the kernel
  devices                  every device on the office network (status, name, vendor, OS guess)
  devices scan             read the kernel's neighbour/bridge tables now, then list
  device approve MAC       mark a device as known (never alerted again; lifts a quarantine)
  device quarantine MAC    cut a device off (DHCP, DNS and this box's page still work)
  device release MAC       lift a quarantine
  device label MAC TEXT    name a device for staff, e.g. 経理のパソコン ("" clears it)
  device audit             who approved, quarantined or released what, and when
  names [IP]               DNS names learned for outside addresses (from answers to office devices)
  flows [--device IP] [--limit N]
                           the latest connections the box judged (from the kernel), newest first
  password                 the page's admin password (generated when no bundle is installed)
  web cert                 the secure page's certificate: SHA-256 fingerprint to compare in the browser
  hash-password            read a password on stdin, print a hash for the provisioning bundle
${BLOCKLIST_USAGE}
${BOX_USAGE}`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Maps a command line to a control command and its args. Throws UsageError. */
/** Routes `incidents` and `mute …` (alerts handling); undefined for anything else. Throws UsageError. */
export function routeAlerts(pos: string[], p: ParsedArgs): { cmd: string; args: Record<string, unknown> } | undefined {
  const [a, b, c] = pos;
  const limit = str(p, 'limit');
  if (a === 'incidents' && !b) return { cmd: 'incidents', args: limit ? { limit: Number(limit) } : {} };
  if (a === 'mute' && b === 'list' && !c) return { cmd: 'mute.list', args: {} };
  if (a === 'mute' && b === 'del' && c && pos.length === 3) return { cmd: 'mute.del', args: { id: Number(c) } };
  if (a === 'mute' && b === 'add' && !c) {
    const forText = str(p, 'for');
    return { cmd: 'mute.add', args: {
      device: str(p, 'device'), remote: str(p, 'remote'), kind: str(p, 'kind'), reason: str(p, 'reason'),
      forMs: forText === undefined ? null : durationArg(forText),
    } };
  }
  return undefined;
}

export function route(pos: string[], limit: string | undefined, opts: Record<string, string | undefined> = {}): { cmd: string; args: Record<string, unknown> } {
  const [a, b] = pos;
  if (a === 'status' && !b) return { cmd: 'status', args: {} };
  if (a === 'password' && !b) return { cmd: 'password', args: {} };
  if (a === 'web' && b === 'cert' && pos.length === 2) return { cmd: 'web.cert', args: {} };
  if (a === 'upstream' && b === 'status' && pos.length === 2) return { cmd: 'upstream.status', args: {} };
  if (a === 'flows' && !b) return { cmd: 'traffic.flows', args: { ...(limit ? { limit: Number(limit) } : {}), ...(opts['device'] ? { device: opts['device'] } : {}) } };
  if (a === 'names' && pos.length <= 2) return { cmd: 'traffic.names', args: b ? { ip: b } : limit ? { limit: Number(limit) } : {} };
  if (a === 'alerts' && !b) return { cmd: 'alerts', args: limit ? { limit: Number(limit) } : {} };
  if (a === 'ruleset' && (b === 'print' || b === 'check')) return { cmd: `ruleset.${b}`, args: {} };
  if (a === 'devices' && !b) return { cmd: 'devices', args: {} };
  if (a === 'devices' && b === 'scan' && pos.length === 2) return { cmd: 'devices.scan', args: {} };
  if (a === 'device' && b === 'audit' && pos.length === 2) return { cmd: 'devices.audit', args: limit ? { limit: Number(limit) } : {} };
  if (a === 'device' && (b === 'approve' || b === 'quarantine' || b === 'release') && pos.length === 3) return { cmd: `device.${b}`, args: { mac: pos[2] } };
  if (a === 'device' && b === 'label' && pos.length === 4) return { cmd: 'device.label', args: { mac: pos[2], label: pos[3] } };
  const bl = routeBlocklist(pos, opts);
  if (bl) return bl;
  throw new UsageError(`unknown command: ${pos.join(' ') || '(none)'}`);
}

async function main(argv: string[]): Promise<number> {
  const p = parseArgs(argv, ['state-dir', 'runtime-dir', 'limit', 'format', 'column', 'for', 'note', 'device', 'remote', 'kind', 'reason', 'out'], ['json', 'help']);
  if (p.flags.has('help') || p.positional.length === 0) {
    process.stdout.write(`${USAGE}\n`);
    return p.flags.has('help') ? 0 : 64;
  }
  const json = p.flags.has('json');
  if (p.positional[0] === 'hash-password') {
    const pw = (await readStdin()).replace(/\r?\n$/, '');
    const weak = weakPasswordReason(pw);
    if (weak) throw new UsageError(describeWeak(weak));
    process.stdout.write(`${await hashPassword(pw)}\n`);
    return 0;
  }
  const box = await runBoxCommand(p, json, (s) => process.stdout.write(s));
  if (box !== undefined) return box;
  const opts = { format: str(p, 'format'), column: str(p, 'column'), for: str(p, 'for'), note: str(p, 'note'), device: str(p, 'device') };
  if (p.positional[0] === 'blocklist' && p.positional[1] === 'check') {
    const summary = await checkFile(p.positional[2], opts);
    if (json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else printHuman('blocklist.check', summary, (s) => process.stdout.write(s), WORDS);
    return summary.healthy ? 0 : 1;
  }
  const { cmd, args } = p.positional[0] === 'blocklist' && p.positional[1] === 'add-feed'
    ? { cmd: 'blocklist.add', args: await readFeedFile(p.positional[2]) }
    : routeAlerts(p.positional, p) ?? route(p.positional, str(p, 'limit'), opts);
  const result = await callAny(controlSockets(p), cmd, args, {
    onBusy: (p) => process.stderr.write(`utmctl: utmd is busy: working on ${p.cmd} for ${Math.round(p.elapsedMs / 1000)} s${p.running.length ? ` (also: ${p.running.map((r) => r.cmd).join(', ')})` : ''}; waiting for the answer to ${cmd}…\n`),
  });
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else printHuman(cmd, result, (s) => process.stdout.write(s), WORDS);
  const faults = faultsOf(cmd, result);
  for (const f of faults) process.stderr.write(`utmctl: fault: ${f}\n`);
  return faults.length ? EXIT.fault : EXIT.ok;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`utmctl: ${e.message}\n${USAGE}\n`);
      process.exit(EXIT.usage);
    }
    if (e instanceof NotRunningError) {
      process.stderr.write(`utmctl: ${e.message}.\n  Start it or see why it stopped: systemctl status utmd; journalctl -u utmd (or check the --state-dir you gave)\n`);
      process.exit(EXIT.notRunning);
    }
    if (e instanceof NotAnsweringError) {
      process.stderr.write(`utmctl: ${e.message}.\n  It may be stuck or overloaded; the firewall keeps working. See: journalctl -u utmd; if it stays so, systemctl restart utmd\n`);
      process.exit(EXIT.notAnswering);
    }
    if (e instanceof BusyError) {
      process.stderr.write(`utmctl: ${e.message}\n`);
      process.exit(EXIT.busy);
    }
    if (e instanceof RemoteError) process.stderr.write(`utmctl: utmd refused: ${e.message}\n`);
    else process.stderr.write(`utmctl: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
