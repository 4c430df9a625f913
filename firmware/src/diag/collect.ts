// `utmctl diag`: a tarball a technician hands to the provider. It holds versions, the daemon's
// conditions and feed status (from utmd's control socket), the rendered and the kernel's
// ruleset, recent logs, update status, the bundle and config with secrets removed. Every
// part that cannot be read is recorded in MISSING.txt instead of failing the whole archive.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callAny } from '../control/client.js';
import { run } from '../sys/run.js';
import { readUpdateStatus } from '../update/statusReader.js';
import { redactJson, redactText } from './redact.js';
import { errorMessage } from '../errors/errorText.js';

export interface DiagOptions {
  stateDir: string;
  /** utmd's control socket: the first of these where it listens (control/client.ts callAny). */
  sockets: readonly string[];
  out: string;
  etcDir: string;
}

/** One part of the archive: a file name and how to get its text. */
interface Part {
  file: string;
  get: () => Promise<string>;
}

const cmd = (argv: string[]) => async (): Promise<string> => {
  const r = await run(argv, { timeoutMs: 30_000, allowFailure: true, maxOutput: 8 << 20 });
  return `$ ${argv.join(' ')} (exit ${r.code})\n${r.stdout}${r.stderr ? `\n[stderr]\n${r.stderr}` : ''}`;
};
const json = (v: unknown): string => `${JSON.stringify(redactJson(v), null, 2)}\n`;
const daemon = (socks: readonly string[], c: string) => async (): Promise<string> => json(await callAny(socks, c, {}, { deadlineMs: 20_000 }));
const jsonFile = (path: string) => async (): Promise<string> => json(JSON.parse(await readFile(path, 'utf8')));

function parts(o: DiagOptions): Part[] {
  return [
    { file: 'versions.txt', get: async () => [await readFile('/etc/otasuke-release', 'utf8').catch(() => '(no /etc/otasuke-release)\n'), `node ${process.version}\n`, await cmd(['uname', '-a'])()].join('') },
    { file: 'update-status.json', get: async () => json(await readUpdateStatus()) },
    { file: 'status.json', get: daemon(o.sockets, 'status') },
    { file: 'blocklist-status.json', get: daemon(o.sockets, 'blocklist.status') },
    { file: 'ruleset-rendered.json', get: daemon(o.sockets, 'ruleset.print') },
    { file: 'ruleset-kernel.txt', get: cmd(['nft', 'list', 'table', 'inet', 'utm']) },
    { file: 'ruleset-kernel-bridge.txt', get: cmd(['nft', 'list', 'table', 'bridge', 'utm']) },
    { file: 'provisioning.json', get: jsonFile(join(o.etcDir, 'provisioning.json')) },
    { file: 'config.json', get: jsonFile(join(o.etcDir, 'config.json')) },
    { file: 'provisioning-refused.txt', get: () => readFile(join(o.stateDir, 'provisioning.refused'), 'utf8') },
    { file: 'journal-utmd.txt', get: cmd(['journalctl', '--no-pager', '-o', 'short-iso', '-n', '3000', '-u', 'utmd.service', '-u', 'utmd-restore.service', '-u', 'otasuke-firstboot.service', '-u', 'otasuke-healthy.service']) },
    { file: 'journal-boot-warnings.txt', get: cmd(['journalctl', '--no-pager', '-o', 'short-iso', '-b', '-p', 'warning', '-n', '1000']) },
    { file: 'systemctl-failed.txt', get: cmd(['systemctl', '--failed', '--no-pager']) },
    { file: 'network.txt', get: async () => (await cmd(['ip', '-d', 'addr'])()) + (await cmd(['ip', 'route'])()) + (await cmd(['bridge', 'link'])()) },
    { file: 'conntrack-stats.txt', get: cmd(['conntrack', '-S']) },
    { file: 'disk.txt', get: cmd(['df', '-h']) },
  ];
}

/** Writes the archive to o.out (tar.gz); returns what went in and what was missing. */
export async function writeDiag(o: DiagOptions): Promise<{ out: string; files: string[]; missing: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'utm-diag-'));
  const root = join(dir, 'otasuke-diag');
  try {
    await run(['mkdir', '-m', '0700', root]);
    const files: string[] = [];
    const missing: string[] = [];
    for (const p of parts(o)) {
      try {
        await writeFile(join(root, p.file), redactText(await p.get()), { mode: 0o600 });
        files.push(p.file);
      } catch (e) {
        missing.push(`${p.file}: ${errorMessage(e).slice(0, 200)}`);
      }
    }
    await writeFile(join(root, 'MISSING.txt'), `${missing.join('\n')}\n`, { mode: 0o600 });
    await run(['tar', '-C', dir, '-czf', o.out, 'otasuke-diag'], { timeoutMs: 60_000 });
    return { out: o.out, files, missing };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
