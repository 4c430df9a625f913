// Benchmark: utmd's memory on the appliance image itself — the image's node (Node.js's own
// build, as the lab's), the unit's flags and environment as systemd gives them, the image's
// kernel (Debian 13's, whose defaults differ from the host's) — booted under QEMU in a lab as the image
// tests boot it (test/image/vm.ts; KVM when it runs UEFI firmware here, else TCG). The box is
// provisioned as a provider ships it (collector listening) and an office PC with a registered MAC
// browses through it, so utmd names the PC's vendor from the IEEE registry as in any office.
// Then it idles: utmd's RSS/PSS and its unit's whole control group (ulogd2, tcpdump) are read
// from the guest's /proc every `--every-ms`, utmd's RSS by mapping at the end.
// Needs a built test image (`make image-test` builds it into build/image-test; OTASUKE_TEST_IMAGE
// names another).
// --variants compares the unit's environment on one booted image: for each round and variant, a
// runtime drop-in (/run/systemd/system/utmd.service.d/) sets the variant's Environment= lines
// ("unit" alone: none) and utmd is restarted, so every variant starts the same way. A word
// `thp=always|madvise|never` sets the kernel's transparent huge pages instead (box-wide, in
// /sys/kernel/mm/transparent_hugepage/enabled; a variant without it gets the image's own setting).
// Usage: npx tsx test/bench/imageFootprint.bench.ts [--idle-ms 600000] [--every-ms 60000]
//   [--variants 'NAME=unit[ K=V…][ thp=…];…'] [--rounds N]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLab } from '../lab/lab.js';
import { startUdpCollector } from '../lab/collector.js';
import { waitFor } from '../lab/poll.js';
import { ping, startTcpListener } from '../lab/services.js';
import { boxAddress, startIspDhcp } from '../image/ispDhcp.js';
import { IMAGE_DIR, prepareDisk, slowFactor, startVm, validProvisioning, wireTaps } from '../image/vm.js';
import { rollupBytes, smapsBreakdown } from './procMemory.js';

const { values } = parseArgs({ options: {
  'idle-ms': { type: 'string', default: '600000' }, 'every-ms': { type: 'string', default: '60000' },
  variants: { type: 'string' }, rounds: { type: 'string', default: '1' },
} });
const idleMs = Number(values['idle-ms']);
const everyMs = Number(values['every-ms']);
const MB = 1024 * 1024;
/** A registered (universal) MAC: Seiko Epson's 00:26:AB (as footprint.bench.ts). */
const OFFICE_PC_MAC = '00:26:ab:12:34:56';
/** utmd's pid: the process of its unit that runs firmware/bin/utmd (echoed with a marker,
 *  since the guest console's lines may carry terminal control sequences). */
const UTMD_PID = `for p in $(cat /sys/fs/cgroup/system.slice/utmd.service/cgroup.procs); do grep -qsa firmware/bin/utmd /proc/$p/cmdline && echo "pid=$p"; done`;
const UNIT_PROCS = '/sys/fs/cgroup/system.slice/utmd.service/cgroup.procs';

/** Anonymous mappings' RSS at two samples ("start-end kB" lines, every anonymous mapping): the
 *  change in glibc's thread arenas (64 MiB-aligned: their first mapping), in V8's pages (the
 *  rest of ≥ 256 KiB) and in everything smaller, and each arena then and now. */
function anonGrowth(before: string, after: string): string {
  const parse = (text: string): Map<string, number> => new Map([...text.matchAll(/^([0-9a-f]+-[0-9a-f]+) (\d+)$/gm)].map((m) => [m[1] ?? '', Number(m[2])]));
  const b = parse(before), a = parse(after);
  const sums = { arenas: [0, 0], large: [0, 0], small: [0, 0] };
  const arenas: string[] = [];
  for (const range of new Set([...b.keys(), ...a.keys()])) {
    const [lo = 0n, hi = 0n] = range.split('-').map((x) => BigInt(`0x${x}`));
    const then = b.get(range) ?? 0, now = a.get(range) ?? 0;
    const kind = lo % (64n << 20n) === 0n ? 'arenas' : hi - lo >= 256n * 1024n ? 'large' : 'small';
    sums[kind][0]! += then;
    sums[kind][1]! += now;
    if (kind === 'arenas') arenas.push(`${range.split('-')[0] ?? ''} ${then} → ${now}`);
  }
  const kb = ([x = 0, y = 0]: number[]): string => `${(x / 1024).toFixed(1)} → ${(y / 1024).toFixed(1)} MB`;
  return `glibc thread arenas ${kb(sums.arenas)} (kB each: ${arenas.join(', ')}); other ≥ 256 KiB (V8's pages) ${kb(sums.large)}; smaller ${kb(sums.small)}`;
}

/** The brk heap's range and the largest anonymous mappings by RSS (range, size, RSS), from smaps
 *  text: when utmd reads several MB above its usual figure, this tells whether the brk heap could
 *  not grow (malloc then takes mappings of its own) or which mapping grew. */
function largestAnon(smaps: string, count = 6): string {
  const rows: { range: string; sizeKb: number; rssKb: number; name: string }[] = [];
  let cur: { range: string; sizeKb: number; rssKb: number; name: string } | undefined;
  for (const line of smaps.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      cur = { range: `${head[1]}-${head[2]}`, sizeKb: Number((BigInt(`0x${head[2]}`) - BigInt(`0x${head[1]}`)) / 1024n), rssKb: 0, name: head[3] ?? '' };
      rows.push(cur);
    } else if (cur && line.startsWith('Rss:')) cur.rssKb = Number(line.split(/\s+/)[1]);
  }
  const heap = rows.find((r) => r.name === '[heap]');
  const anon = rows.filter((r) => r.name === '').sort((a, b) => b.rssKb - a.rssKb).slice(0, count);
  const mb = (kb: number): string => (kb / 1024).toFixed(1);
  return `[heap] ${heap ? `${heap.range} (${mb(heap.sizeKb)} MB, RSS ${mb(heap.rssKb)})` : 'none'}; largest anonymous (MB RSS of size): `
    + anon.map((r) => `${r.range} ${mb(r.rssKb)} of ${mb(r.sizeKb)}`).join(', ');
}

/** A variant: its name, the Environment= assignments it adds to the unit's, and the kernel's
 *  transparent huge page mode it runs under (undefined: the image's own). */
interface Variant { name: string; env: string[]; thp: string | undefined }
function parseVariants(text: string | undefined): Variant[] | null {
  if (text === undefined) return null;
  return text.split(';').filter(Boolean).map((v) => {
    const eq = v.indexOf('=');
    const [name, spec] = eq < 0 ? [v, 'unit'] : [v.slice(0, eq), v.slice(eq + 1)];
    const words = spec.trim().split(/\s+/);
    const thp = words.find((w) => w.startsWith('thp='))?.slice(4);
    const env = words.slice(1).filter((w) => !w.startsWith('thp='));
    if (words[0] !== 'unit' || env.some((w) => !/^[A-Z_][A-Z0-9_]*=[^'"\\\s]*$/.test(w)) || (thp !== undefined && !['always', 'madvise', 'never'].includes(thp))) {
      throw new Error(`variant ${v}: 'NAME=unit[ K=V…][ thp=always|madvise|never]' (no quotes or spaces in V)`);
    }
    return { name, env, thp };
  });
}
const variants = parseVariants(values.variants);
const rounds = Number(values.rounds);

const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
try {
  const f = await slowFactor();
  await wireTaps(lab);
  await startIspDhcp(lab);
  await startUdpCollector(lab);
  await startTcpListener(lab, lab.ns.wan, [{ addr: lab.internet.web.v4, port: 80 }]);
  const pc = lab.hosts[0];
  if (!pc) throw new Error('the lab has no LAN host');
  await lab.setHostMac(pc, OFFICE_PC_MAC);
  const dir = join(lab.dir, 'vm');
  const vm = await startVm(lab, dir, await prepareDisk(dir, { provisioning: await validProvisioning() }));
  console.log(`image ${IMAGE_DIR}; ${vm.accel.accel} (${vm.accel.why}); idle ${idleMs} ms; MB = 2^20 bytes`);
  await vm.waitShell();
  console.log(`healthy ${await vm.waitHealthy()} s after power-on; node ${(await vm.sh('node --version')).trim()}; ${(await vm.sh(`tr '\\0' ' ' < /proc/$(systemctl show -p MainPID --value utmd.service)/cmdline`)).trim()}`);

  /** `utmctl --json status`, read again when the serial console mixed a kernel line into it. */
  type Status = { memory: { heapUsedBytes: number; heapTotalBytes: number; collector?: { collections?: number } } };
  const statusJson = async (): Promise<Status> => {
    for (let attempt = 1; ; attempt++) {
      const text = await vm.utmctl('--json status');
      try {
        return JSON.parse(text) as Status;
      } catch (e) {
        if (attempt >= 3) throw e;
        console.log(`(utmctl's JSON came back garbled, read again: ${String(e)})`);
      }
    }
  };

  /** The office PC browses until utmd names its vendor; someone in the office reads the page in
   *  both languages, as staff do (its dates once mapped ~8 MB of ICU data into utmd for good);
   *  then utmd idles and is read every minute. Returns utmd's RSS at the end. */
  const idle = async (label: string): Promise<number> => {
    await waitFor(async () => {
      await ping(pc.ns, lab.internet.web.v4, 1000);
      return /Seiko Epson/i.test(await vm.utmctl('devices'));
    }, { what: 'utmd to see the office PC and name its vendor', timeoutMs: 120_000 * f, intervalMs: 2000 });
    for (const lang of ['ja', 'en']) {
      await waitFor(async () => {
        const url = `http://${await boxAddress(lab) ?? '192.168.77.2'}/?lang=${lang}`;
        const page = await lab.exec(pc.ns, ['curl', '-sS', '-m', '30', '-o', '/dev/null', '-w', '%{http_code}', url], { timeoutMs: 40_000 }).catch(() => '');
        return page === '200' ? page : undefined;
      }, { what: `the page (${lang}) from the office side`, timeoutMs: 120_000 * f, intervalMs: 1000 });
    }
    const start = Date.now();
    let anonFirst: string | undefined;
    let anon = '';
    console.log(`\n${label}\n`);
    console.log('| idle min | utmd RSS | utmd PSS | utmd anonymous | of it huge pages | brk heap | node file | V8 heap used / committed | collections | unit (utmd + children) RSS | unit PSS |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    for (let sample = 0; ; sample++) {
      const pids: string[] = (await vm.sh(`cat ${UNIT_PROCS}`)).match(/\d+/g) ?? [];
      const said = (await vm.shResult(UTMD_PID)).output; // a child may end meanwhile (grep complains)
      const utmdPid = /pid=(\d+)/.exec(said)?.[1];
      if (utmdPid === undefined || !pids.includes(utmdPid)) throw new Error(`utmd's pid (${JSON.stringify(said)}) is not among its unit's processes ${JSON.stringify(pids)}`);
      let rss = 0, pss = 0, utmd = '';
      for (const pid of pids) {
        const r = await vm.shResult(`cat /proc/${pid}/smaps_rollup`);
        if (r.code !== 0) continue; // ended meanwhile
        rss += rollupBytes(r.output, 'Rss');
        pss += rollupBytes(r.output, 'Pss');
        if (pid === utmdPid) utmd = r.output;
      }
      const mb = (n: number): string => `${(n / MB).toFixed(1)} MB`;
      const min = (Date.now() - start) / 60_000;
      // every anonymous mapping's RSS, to tell what grows (compared from the second sample on:
      // the first still holds the start's garbage)
      // A diagnosis, not the figure: a read the serial console does not finish in time (a host
      // busy with the CI: seen at minute 8) skips this sample's list instead of ending the run.
      const anonRead = await vm.shResult(`awk '/^[0-9a-f]+-/{r=$1; n=$6} /^Rss:/{ if (n=="") print r, $2 }' /proc/${utmdPid}/smaps`, 300_000);
      if (anonRead.code === 0) anon = anonRead.output;
      else console.log(`(the anonymous mappings were not read at ${((Date.now() - start) / 60_000).toFixed(1)} min: exit ${anonRead.code})`);
      if (sample === 1) anonFirst = anon;
      const parts = await vm.sh(`awk '/^[0-9a-f]+-/{n=$6} /^Rss:/{ if (n=="[heap]") h+=$2; else if (n ~ /\\/node$/) f+=$2 } END{print "heap=" h+0 " node=" f+0}' /proc/${utmdPid}/smaps`);
      const kb = (k: string): number => Number(new RegExp(`${k}=(\\d+)`).exec(parts)?.[1] ?? 0) * 1024;
      const m = (await statusJson()).memory;
      console.log(`| ${min.toFixed(1)} | ${mb(rollupBytes(utmd, 'Rss'))} | ${mb(rollupBytes(utmd, 'Pss'))} | ${mb(rollupBytes(utmd, 'Anonymous'))} | ${mb(rollupBytes(utmd, 'AnonHugePages'))} | ${mb(kb('heap'))} | ${mb(kb('node'))} | ${mb(m.heapUsedBytes)} / ${mb(m.heapTotalBytes)} | ${m.collector?.collections ?? '-'} | ${mb(rss)} (${pids.length} processes) | ${mb(pss)} |`);
      if (Date.now() - start >= idleMs) {
        const smaps = await vm.sh(`cat /proc/${utmdPid}/smaps`, 300_000); // ~100 KB over the serial console: slow on a loaded host
        console.log(`utmd RSS by mapping (MB): ${smapsBreakdown(smaps)}`);
        console.log(`${largestAnon(smaps)}`);
        const count = async (what: string): Promise<string> => (await vm.sh(`journalctl -b -u utmd.service -o cat --no-pager | grep -c '${what}' || true`)).trim();
        console.log(`utmd starts that found their malloc heap blocked (this boot, sys/heapRoom.ts): ${await count('malloc heap cannot grow')}, handed over to a fresh process: ${await count('handing over to a fresh process')}`);
        if (anonFirst !== undefined) console.log(`anonymous memory from the second sample to the last: ${anonGrowth(anonFirst, anon)}`);
        console.log((await vm.utmctl('status')).split('\n').filter((l) => /^memory/.test(l)).join('\n'));
        return rollupBytes(utmd, 'Rss');
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  };

  if (!variants) {
    await idle('after power-on, as the unit ships');
  } else {
    const results: string[] = [];
    const dropIn = '/run/systemd/system/utmd.service.d/bench.conf';
    const thpFile = '/sys/kernel/mm/transparent_hugepage/enabled';
    const imageThp = /\[(\w+)\]/.exec(await vm.sh(`cat ${thpFile}`))?.[1] ?? 'always';
    for (let round = 1; round <= rounds; round++) {
      for (const v of variants) {
        const lines = ['[Service]', ...v.env.map((e) => `Environment=${e}`)].join('\\n');
        await vm.sh(`echo ${v.thp ?? imageThp} > ${thpFile}`);
        await vm.sh(`mkdir -p ${dropIn.replace(/\/[^/]+$/, '')} && printf '${lines}\\n' > ${dropIn} && systemctl daemon-reload && systemctl restart utmd.service`, 600_000 * f);
        const env = await vm.sh(`tr '\\0' '\\n' < /proc/$(systemctl show -p MainPID --value utmd.service)/environ | grep -E '^(GLIBC_TUNABLES|UV_THREADPOOL_SIZE|MALLOC_ARENA_MAX)=' || true`);
        const thp = (await vm.sh(`cat ${thpFile}`)).trim();
        const rss = await idle(`round ${round}, ${v.name} (${v.env.join(' ') || 'the unit as it ships'}; utmd's environment: ${env.trim().split('\n').join(' ') || '-'}; transparent huge pages: ${thp})`);
        results.push(`| ${round} | ${v.name} | ${v.env.join(' ') || 'unit'} | ${thp} | ${(rss / MB).toFixed(1)} MB |`);
      }
    }
    console.log('\n| round | variant | environment | transparent huge pages | utmd RSS after the idle time |\n|---|---|---|---|---|');
    console.log(results.join('\n'));
  }
} finally {
  await lab.destroy();
}
