// Benchmark: does utmd stay responsive while one LAN host floods its page? In one lab run it
// measures, without a flood (the baseline) and then under each kind of flood: the control
// socket's round trip (what utmctl waits for), the TCP connect time of a forwarded connection
// and the page's answer time from a second LAN host, plus whether a blocklisted address stays
// blocked. Each figure is reported as a ratio of the baseline's median.
// Usage: npx tsx test/bench/pageFlood.bench.ts [--rounds N]
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { call } from '../../firmware/src/control/client.js';
import { SOCKET_NAME } from '../../firmware/src/control/protocol.js';
import { createLab } from '../lab/lab.js';
import { waitFor } from '../lab/poll.js';
import { startTcpListener, tcpProbe } from '../lab/services.js';
import { labUtmdConfig, startUtmd } from '../lab/utmd.js';
import { fdCount, httpGet, startFlood } from '../integration/robust/helpers.js';

const i = process.argv.indexOf('--rounds');
const rounds = i >= 0 ? Number(process.argv[i + 1]) : 8;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

interface Sample { ctlMs: number[]; fwdMs: number[]; pageMs: number[]; blocked: number; pageFail: number; ctlFail: number }

const lab = await createLab({ mode: 'bridge', lanHosts: 2 });
try {
  const { web, malware } = lab.internet;
  await startTcpListener(lab, lab.ns.wan, [{ addr: web.v4, port: 80 }, { addr: malware.v4, port: 443 }]);
  const utmd = await startUtmd(lab, { config: labUtmdConfig(lab) });
  const sock = join(utmd.stateDir, SOCKET_NAME);
  const [attacker, other] = [lab.hosts[0]!, lab.hosts[1]!];
  const box = lab.box.lanAddress.v4;
  type PageStatus = { page: { open: number; refusedPerClient: number; timedOut: number } };
  const pageStatus = async (): Promise<PageStatus['page']> => ((await utmd.status()) as PageStatus).page;

  const measure = async (): Promise<Sample> => {
    const s: Sample = { ctlMs: [], fwdMs: [], pageMs: [], blocked: 0, pageFail: 0, ctlFail: 0 };
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      try {
        await call(sock, 'status', {}, { deadlineMs: 10_000 });
        s.ctlMs.push(performance.now() - t0);
      } catch {
        s.ctlFail++;
      }
      const [fwd, blk] = await tcpProbe(other.ns, [{ addr: web.v4, port: 80 }, { addr: malware.v4, port: 443 }], { timeoutMs: 1500 });
      if (fwd?.outcome === 'connected') s.fwdMs.push(fwd.ms);
      if (blk?.outcome === 'timeout') s.blocked++;
      const p = await httpGet(other.ns, `http://${box}/`, 10_000);
      if (p.status === 200) s.pageMs.push(p.ms);
      else s.pageFail++;
    }
    return s;
  };

  const phases: Array<{ name: string; flood: Parameters<typeof startFlood>[4] | null }> = [
    { name: 'baseline (no flood)', flood: null },
    { name: 'idle connections (18,000 kept open)', flood: { idle: 18_000, rate: 3000 } },
    { name: 'slow headers (2,000 connections)', flood: { slow: 2000, rate: 3000 } },
    { name: 'request flood (32 loops)', flood: { requests: 32, rate: 3000 } },
    { name: 'all three at once', flood: { idle: 18_000, slow: 2000, requests: 32, rate: 3000 } },
  ];
  let base: Sample | null = null;
  const fmt = (xs: number[], b: number[] | undefined): string => {
    const m = median(xs);
    return `${m.toFixed(1)} ms${b ? ` (${(m / median(b)).toFixed(2)}x)` : ''}`;
  };
  process.stdout.write(`page flood from one LAN host, ${rounds} rounds per phase; utmd fd limit from /proc: ${
    (/Max open files\s+(\d+)/.exec(await import('node:fs').then((fs) => fs.readFileSync(`/proc/${utmd.proc.pid}/limits`, 'utf8')))?.[1]) ?? '?'}\n`);
  for (const ph of phases) {
    const flood = ph.flood ? await startFlood(lab, attacker.ns, box, 80, ph.flood) : null;
    const before = (await pageStatus()).refusedPerClient;
    if (flood) {
      // measure once the flood is in full swing
      await waitFor(async () => (await pageStatus()).refusedPerClient - before > 2000 || flood.counts().responses > 200 || flood.counts().open >= 1000,
        { what: 'the flood to build up', timeoutMs: 60_000, intervalMs: 500 });
    }
    const s = await measure();
    const ps = await pageStatus();
    const fc = flood?.counts();
    await flood?.stop();
    if (!base) base = s;
    process.stdout.write(`${ph.name}: utmctl round trip ${fmt(s.ctlMs, ph.flood ? base.ctlMs : undefined)}, `
      + `forwarded connect ${fmt(s.fwdMs, ph.flood ? base.fwdMs : undefined)}, page for another PC ${fmt(s.pageMs, ph.flood ? base.pageMs : undefined)}, `
      + `blocked ${s.blocked}/${rounds}, page failures ${s.pageFail}, utmctl failures ${s.ctlFail}; `
      + `page open ${ps.open}, refused over the per-client cap ${ps.refusedPerClient - before}, utmd fds ${fdCount(utmd.proc.pid)}`
      + `${fc ? `; flooder opened ${fc.opened}, responses ${fc.responses}` : ''}\n`);
    await waitFor(async () => (await pageStatus()).open === 0, { what: 'page idle again', timeoutMs: 60_000, intervalMs: 500 });
  }
  await utmd.stop();
} finally {
  await lab.destroy();
}
