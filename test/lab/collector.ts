// The provider's syslog collector in the lab: a real Debian rsyslogd in the wan namespace,
// receiving UDP on the collector address (198.51.100.10:514 by default) and writing every
// message RFC 5424-formatted to messages.log (and the raw datagram text to raw.log).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from './lab.js';
import { execIn } from './netns.js';
import { waitFor } from './poll.js';
import type { LabProcess } from './process.js';
import { STARTUP_TIMEOUT_MS } from './services.js';

export interface UdpCollector {
  proc: LabProcess;
  /** Addresses it listens on (port `port`). */
  addresses: string[];
  port: number;
  /** RFC 5424-formatted lines as rsyslog wrote them (RSYSLOG_SyslogProtocol23Format). */
  logPath: string;
  /** The raw received message text, one per line. */
  rawPath: string;
  /** Lines of logPath so far. */
  messages(): Promise<string[]>;
  /** Raw received messages so far. */
  rawMessages(): Promise<string[]>;
  /** Polls until a formatted line matches pred and returns it (default 30 s); throws PollTimeoutError. */
  waitFor(pred: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Renders the rsyslog config for a collector (pure). */
export function renderCollectorConfig(p: { workDir: string; addresses: readonly string[]; port: number; logPath: string; rawPath: string }): string {
  const inputs = p.addresses.map((a) => `input(type="imudp" address="${a}" port="${p.port}" ruleset="collect")`);
  return [
    `global(workDirectory="${p.workDir}" maxMessageSize="64k")`,
    'module(load="imudp")',
    'template(name="rawmsg" type="string" string="%rawmsg%\\n")',
    'ruleset(name="collect") {',
    `  action(type="omfile" file="${p.logPath}" template="RSYSLOG_SyslogProtocol23Format")`,
    `  action(type="omfile" file="${p.rawPath}" template="rawmsg")`,
    '}',
    ...inputs,
    '',
  ].join('\n');
}

async function readLines(path: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Starts rsyslogd in the lab's wan namespace; throws when it does not listen within 10 s. */
export async function startUdpCollector(lab: Lab, opts: { port?: number; addresses?: string[] } = {}): Promise<UdpCollector> {
  const port = opts.port ?? 514;
  const addresses = opts.addresses ?? [lab.internet.collector.v4, ...(lab.box.lanAddress.v6 ? [lab.internet.collector.v6] : [])];
  const dir = join(lab.dir, `collector-${port}`);
  const workDir = join(dir, 'work');
  await mkdir(workDir, { recursive: true });
  const logPath = join(dir, 'messages.log');
  const rawPath = join(dir, 'raw.log');
  const conf = join(dir, 'rsyslog.conf');
  await writeFile(conf, renderCollectorConfig({ workDir, addresses, port, logPath, rawPath }));
  await execIn(lab.ns.wan, ['rsyslogd', '-N1', '-f', conf]);
  const proc = await lab.spawn(lab.ns.wan, ['rsyslogd', '-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], { stdinPipe: false });
  await waitFor(async () => {
    if (proc.exitStatus() !== undefined) throw new Error(`rsyslogd exited: ${proc.stderr()}`);
    const out = await execIn(lab.ns.wan, ['ss', '-H', '-u', '-l', '-n']);
    return addresses.every((a) => out.includes(`${a.includes(':') ? `[${a}]` : a}:${port}`));
  }, { what: 'rsyslogd to listen', timeoutMs: STARTUP_TIMEOUT_MS, intervalMs: 100 });
  const messages = (): Promise<string[]> => readLines(logPath);
  return {
    proc,
    addresses,
    port,
    logPath,
    rawPath,
    messages,
    rawMessages: () => readLines(rawPath),
    waitFor: (pred, timeoutMs = 30_000) =>
      waitFor(async () => (await messages()).find(pred), { what: 'a matching message at the collector', timeoutMs, intervalMs: 100 }),
    stop: () => proc.stop(),
  };
}
