// syslog-ng in the lab, running the shipped reference config (rules/collector/syslog-ng-otasuke.conf).
// Debian's syslog-ng-core conflicts with rsyslog, so the lab uses the package unpacked (not
// installed) under SYSLOG_NG_ROOT (default /var/cache/utm-lab/syslog-ng; `make debs` fills it).
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, type Lab } from './lab.js';
import { execIn } from './netns.js';
import { waitFor } from './poll.js';
import type { LabProcess } from './process.js';

export const SYSLOG_NG_ROOT = process.env['SYSLOG_NG_ROOT'] ?? '/var/cache/utm-lab/syslog-ng';

/** The binary, libraries and modules of the unpacked package; throws when it is missing. */
export async function syslogNgInstall(): Promise<{ bin: string; lib: string; modules: string }> {
  const bin = join(SYSLOG_NG_ROOT, 'usr/sbin/syslog-ng');
  const lib = join(SYSLOG_NG_ROOT, 'usr/lib/syslog-ng');
  await access(bin).catch((e: unknown) => {
    throw new Error(`syslog-ng is not unpacked at ${SYSLOG_NG_ROOT}: run \`make debs\``, { cause: e });
  });
  return { bin, lib, modules: join(lib, '3.38') };
}

export interface SyslogNgCollector { proc: LabProcess; outPath: string; lines(): Promise<Record<string, unknown>[]> }

/** Starts syslog-ng in wan with the reference config on `address`:6514; throws when it does not listen. */
export async function startSyslogNg(lab: Lab, tls: { ca: string; cert: string; key: string }, address: string): Promise<SyslogNgCollector> {
  const ng = await syslogNgInstall();
  const dir = join(lab.dir, 'syslog-ng');
  await mkdir(dir, { recursive: true });
  const outPath = join(dir, 'messages.jsonl');
  const ref = await readFile(join(REPO_ROOT, 'rules/collector/syslog-ng-otasuke.conf'), 'utf8');
  const conf = join(dir, 'syslog-ng.conf');
  await writeFile(conf, ref.replaceAll('@CA@', tls.ca).replaceAll('@CERT@', tls.cert).replaceAll('@KEY@', tls.key).replaceAll('@OUT@', outPath).replaceAll('@ADDR@', address));
  const proc = await lab.spawn(lab.ns.wan, [ng.bin, '-F', '-f', conf, `--module-path=${ng.modules}`, '-R', join(dir, 'persist'), '-p', join(dir, 'pid'), '-c', join(dir, 'ctl')],
    { stdinPipe: false, env: { LD_LIBRARY_PATH: ng.lib } });
  await waitFor(async () => {
    if (proc.exitStatus() !== undefined) throw new Error(`syslog-ng exited: ${proc.stderr()}`);
    return (await execIn(lab.ns.wan, ['ss', '-H', '-t', '-l', '-n'])).includes(`${address}:6514`);
  }, { what: 'syslog-ng to listen on 6514', timeoutMs: 20_000, intervalMs: 100 });
  return {
    proc, outPath,
    async lines() {
      try {
        return (await readFile(outPath, 'utf8')).split('\n').filter((l) => l).map((l) => JSON.parse(l) as Record<string, unknown>);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
    },
  };
}
