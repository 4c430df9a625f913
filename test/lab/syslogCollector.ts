// The provider's collector for the upstream transports: a real rsyslogd in the wan namespace
// running the shipped reference config (rules/collector/rsyslog-otasuke.conf: TLS on 6514,
// RELP on 2514, RELP over TLS on 2515), plus a plain TCP input on 514 for the `tcp` transport.
// It can be stopped, SIGKILLed and started again on the same output file.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, type Lab } from './lab.js';
import { execIn } from './netns.js';
import { waitFor } from './poll.js';
import type { LabProcess } from './process.js';

export interface CollectorRecord {
  box: string;
  msgId: string;
  sd: Record<string, Record<string, string>>;
  msg: string;
  /** Our sequence number (utmMsg@32473 seq). */
  seq: number;
  /** meta sequenceId (RFC 5424 §7.3.1). */
  metaSeq: number;
  line: string;
}

export interface SyslogCollector {
  address: string;
  outPath: string;
  records(): Promise<CollectorRecord[]>;
  start(): Promise<void>;
  stop(): Promise<void>;
  kill(): Promise<void>;
  running(): boolean;
}

/** The reference config with its placeholders filled (pure apart from reading the file). */
export async function renderReferenceConfig(p: { workDir: string; ca: string; cert: string; key: string; out: string; addr: string; plainTcpPort?: number }): Promise<string> {
  const ref = await readFile(join(REPO_ROOT, 'rules/collector/rsyslog-otasuke.conf'), 'utf8');
  const filled = ref.replaceAll('@WORKDIR@', p.workDir).replaceAll('@CA@', p.ca).replaceAll('@CERT@', p.cert).replaceAll('@KEY@', p.key)
    .replaceAll('@OUT@', p.out).replaceAll('@ADDR@', p.addr);
  return p.plainTcpPort ? `${filled}\ninput(type="imtcp" address="${p.addr}" port="${p.plainTcpPort}" ruleset="otasuke")\n` : filled;
}

/** Parses the JSON lines the reference config writes; a line that is not ours is an Error. */
export function parseRecords(text: string): CollectorRecord[] {
  return text.split('\n').filter((l) => l).map((line) => {
    const j = JSON.parse(line) as { box: string; msgId: string; sd: Record<string, Record<string, string>>; msg: string };
    const seq = Number(j.sd['utmMsg@32473']?.['seq']);
    const metaSeq = Number(j.sd['meta']?.['sequenceId']);
    if (!Number.isSafeInteger(seq)) throw new Error(`collector line without utmMsg@32473 seq: ${line.slice(0, 200)}`);
    return { ...j, seq, metaSeq, line };
  });
}

/** Starts rsyslogd with the reference config in wan; server certificate `cert`/`key`. Throws when it does not listen. */
export async function startSyslogCollector(lab: Lab, tls: { ca: string; cert: string; key: string }, opts: { name?: string; address?: string } = {}): Promise<SyslogCollector> {
  // Any address in 198.51.100.0/24 is local to wan (AnyIP), so a second collector can stand beside the first.
  const address = opts.address ?? lab.internet.collector.v4;
  const dir = join(lab.dir, `collector-${opts.name ?? 'ref'}`);
  const workDir = join(dir, 'work');
  await mkdir(workDir, { recursive: true });
  const outPath = join(dir, 'messages.jsonl');
  const conf = join(dir, 'rsyslog.conf');
  await writeFile(conf, await renderReferenceConfig({ workDir, ...tls, out: outPath, addr: address, plainTcpPort: 514 }));
  await execIn(lab.ns.wan, ['rsyslogd', '-N1', '-f', conf]);
  let proc: LabProcess | null = null;
  const start = async (): Promise<void> => {
    const p = await lab.spawn(lab.ns.wan, ['rsyslogd', '-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], { stdinPipe: false });
    proc = p;
    await waitFor(async () => {
      if (p.exitStatus() !== undefined) throw new Error(`rsyslogd exited: ${p.stderr()}`);
      const out = await execIn(lab.ns.wan, ['ss', '-H', '-t', '-l', '-n']);
      return [6514, 2514, 2515, 514].every((port) => out.includes(`${address}:${port}`));
    }, { what: 'rsyslogd to listen on 6514, 2514, 2515 and 514', timeoutMs: 20_000, intervalMs: 100 });
  };
  await start();
  return {
    address,
    outPath,
    async records() {
      try {
        return parseRecords(await readFile(outPath, 'utf8'));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
    },
    start,
    async stop() {
      await proc?.stop(10_000);
      proc = null;
    },
    async kill() {
      const p = proc;
      if (!p) return;
      process.kill(p.pid, 'SIGKILL');
      await waitFor(() => p.exitStatus() !== undefined, { what: 'rsyslogd to die', timeoutMs: 10_000 });
      proc = null;
    },
    running: () => proc !== null,
  };
}

/** What a collector's numbers say about delivery of 1..expected: missing numbers, numbers
 *  that arrived with different bytes, and runs that skipped ahead (a gap inside a connection). */
export function checkDelivery(records: readonly CollectorRecord[], expected: number): { missing: number[]; unexpected: number[]; changedDuplicates: number[]; skips: string[]; duplicates: number } {
  const byseq = new Map<number, string>();
  const changed = new Set<number>();
  const skips: string[] = [];
  let prev = 0;
  let max = 0;
  let duplicates = 0;
  for (const r of records) {
    const key = JSON.stringify([r.box, r.msgId, r.sd, r.msg]);
    const had = byseq.get(r.seq);
    if (had !== undefined) {
      duplicates++;
      if (had !== key) changed.add(r.seq);
    } else byseq.set(r.seq, key);
    // A new connection may go back (resend from the last confirmed point) but never past max + 1.
    if (r.seq !== prev + 1 && r.seq > max + 1) skips.push(`${prev} → ${r.seq}`);
    prev = r.seq;
    max = Math.max(max, r.seq);
  }
  const missing: number[] = [];
  for (let i = 1; i <= expected; i++) if (!byseq.has(i)) missing.push(i);
  const unexpected = [...byseq.keys()].filter((s) => s < 1 || s > expected);
  return { missing, unexpected, changedDuplicates: [...changed], skips, duplicates };
}
