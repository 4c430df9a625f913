// Long-lived connections. ulogd2 2.0.8 reports conntrack DESTROY events only, so a connection
// that stays open for hours is invisible until it ends. This adapter lists open connections with
// `conntrack -L -o extended,id,ktimestamp` every minute or so and hands the ones older than a
// threshold on as `update` records in the shape parseFlow reads (ulogd2 NFCT key names).
// listOpenConnections is the one reader of open connections (this poller, the byte counters,
// the connection cutter). Without `-f`, conntrack-tools 1.4.7 dumps every family in one listing
// (checked 2026-12-02: an ipv4 and an ipv6 entry both shown), so IPv6 connections are counted,
// reported and cut like IPv4 ones (test/integration/traffic/ipv6Conntrack.test.ts).
import { systemBin } from '../sys/bin.js';
import { run } from '../sys/run.js';
import { Poller } from '../time/poller.js';

/** Every open connection, IPv4 and IPv6, as `conntrack -L -o extended,id,ktimestamp` lines.
 *  Rejects (RunError) when conntrack fails or times out. */
export async function listOpenConnections(): Promise<string> {
  return (await run([systemBin('conntrack'), '-L', '-o', 'extended,id,ktimestamp'], { timeoutMs: 20_000, maxOutput: 128 * 1024 * 1024 })).stdout;
}

const KV = /([a-z-]+)=([^\s\]]+)/g;
const MAX_LINE = 2048;

/** Pure: one line of `conntrack -L -o extended,id,ktimestamp` → an NFCT-style record, or
 *  undefined for lines it cannot read. `now` (ms) turns `delta-time` (age in s) into a start time. */
export function parseConntrackLine(line: string, now: number): Record<string, string | number> | undefined {
  if (line.length > MAX_LINE) return undefined;
  const head = /^(ipv4|ipv6)\s+\d+\s+\S+\s+(\d+)\s/.exec(line);
  if (!head) return undefined;
  const orig: Record<string, string> = {};
  const reply: Record<string, string> = {};
  const misc: Record<string, string> = {};
  for (const m of line.matchAll(KV)) {
    const k = m[1] ?? '', v = m[2] ?? ''; // both groups always take part
    if (k === 'src' || k === 'dst' || k === 'sport' || k === 'dport' || k === 'packets' || k === 'bytes') {
      const side = orig[k] === undefined ? orig : reply;
      if (side[k] === undefined) side[k] = v;
    } else if (misc[k] === undefined || k === 'id') misc[k] = v; // the entry's id comes last (ICMP's own id= comes first)
  }
  const age = Number(misc['delta-time']);
  if (!orig['src'] || !orig['dst'] || !Number.isFinite(age) || age < 0) return undefined;
  const startMs = now - age * 1000;
  const rec: Record<string, string | number> = {
    'ct.event': 2,
    'oob.family': head[1] === 'ipv4' ? 2 : 10,
    'orig.ip.protocol': Number(head[2]),
    'orig.ip.saddr.str': orig['src'],
    'orig.ip.daddr.str': orig['dst'],
    'orig.raw.pktlen': Number(orig['bytes'] ?? 0),
    'orig.raw.pktcount': Number(orig['packets'] ?? 0),
    'reply.raw.pktlen': Number(reply['bytes'] ?? 0),
    'reply.raw.pktcount': Number(reply['packets'] ?? 0),
    'flow.start.sec': Math.floor(startMs / 1000),
    'flow.start.usec': 0,
  };
  if (orig['sport'] !== undefined) rec['orig.l4.sport'] = Number(orig['sport']);
  if (orig['dport'] !== undefined) rec['orig.l4.dport'] = Number(orig['dport']);
  if (misc['id'] !== undefined && /^\d{1,10}$/.test(misc['id'])) rec['ct.id'] = Number(misc['id']);
  return rec;
}

export interface ConntrackPollerDeps {
  everyMs: number;
  /** Only connections at least this old (real seconds of age) are handed on. */
  minAgeMs: () => number;
  now: () => number;
  onRecord: (rec: Record<string, string | number>) => void;
  onError: (e: unknown) => void;
  /** Lists open connections (default: listOpenConnections in this process's namespace;
   *  a test lists a lab namespace's). */
  list?: (() => Promise<string>) | undefined;
}

export class ConntrackPoller {
  private readonly poller: Poller;
  readonly counts = { polls: 0, failures: 0, listed: 0, handedOn: 0, unreadable: 0 };
  /** First start (s) per conntrack id still open at the last listing. */
  private starts = new Map<number, number>();

  constructor(private readonly d: ConntrackPollerDeps) {
    this.poller = new Poller({ everyMs: d.everyMs, run: () => this.listOnce() });
  }

  /** Lists open connections once (or joins a listing under way). Never throws; failures are
   *  counted and reported. */
  poll(): Promise<void> {
    return this.poller.runNow();
  }

  private async listOnce(): Promise<void> {
    try {
      const text = await (this.d.list ?? listOpenConnections)();
      this.counts.polls++;
      const now = this.d.now();
      const min = this.d.minAgeMs();
      const seen = new Map<number, number>();
      for (const line of text.split('\n')) {
        if (!line) continue;
        this.counts.listed++;
        const rec = parseConntrackLine(line, now);
        if (!rec) {
          this.counts.unreadable++;
          continue;
        }
        this.keepFirstStart(rec, seen);
        if (now - Number(rec['flow.start.sec']) * 1000 < min) continue;
        this.counts.handedOn++;
        this.d.onRecord(rec);
      }
      this.starts = seen;
    } catch (e) {
      this.counts.failures++;
      this.d.onError(e);
    }
  }

  /** The kernel gives an open connection's age in whole seconds, so `now - age` moves by a
   *  second from one listing to the next depending on where in the second each ran. One
   *  connection (one conntrack id) keeps the start of its first listing; ids no longer listed
   *  are forgotten once the whole listing was read. */
  private keepFirstStart(rec: Record<string, string | number>, seen: Map<number, number>): void {
    const id = rec['ct.id'];
    if (typeof id !== 'number') return;
    const listed = Number(rec['flow.start.sec']);
    const first = this.starts.get(id);
    // more than a second apart: the id was taken by another connection between two listings
    const start = first !== undefined && Math.abs(first - listed) <= 1 ? first : listed;
    rec['flow.start.sec'] = start;
    seen.set(id, start);
  }

  start(): void {
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }
}
