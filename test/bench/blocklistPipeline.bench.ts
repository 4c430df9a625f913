// The blocklist's userspace, without nft or HTTP: `npx tsx test/bench/blocklistPipeline.bench.ts
//   [--size 100000] [--reps 7] [--builds before=/tmp/old,after=.] [--sorted] [--wall]`.
// CPU time (process.cpuUsage) of each step of a full load and of a 1% update of the synthetic
// feed of blocklist.bench.ts (blocklistV4Feed.ts: 97% singles in random order, 3% prefixes /20–/24): refreshFeed
// (parse, guard, merge; the download replaced by the bytes), the group's content and the set
// plan with its document (planSync, syncDocument), the snapshot's encoding (LastGoodStore.prepare)
// and its write. On this shared 2-core machine wall times swing 2× with the other helpers'
// load; the CPU time of these steps much less, so this is where a change of the userspace is
// measured, tree against tree, alternating, in fresh processes under the unit's node flags
// (each step runs once per process, cold, as a refresh runs once an hour on the box).
// `--sorted`: the feed's lines in address order (blocklistV4Feed.ts feedText), the 1% change
// spread all over the download. `--wall`: wall time instead: CPU time counts V8's background
// compiles too, which on a quiet box run on the other core beside a cold step (a change that
// spares the main thread can show in wall time only).
// A build is a directory holding a compiled tree (`dist/firmware/src`: `npx tsc -p
// tsconfig.bench.json` in it, e.g. a `git archive` copy with node_modules linked).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../firmware/src/sys/paths.js';
import { benchNodeFlags, compileBench } from './compiled.js';
import { change, feedText, generate, type Synthetic } from './blocklistV4Feed.js';

/** The feed of blocklist.bench.ts as the downloaded bytes. */
function feedBytes(s: Synthetic, sorted: boolean): Buffer {
  return Buffer.from(feedText(s, sorted));
}

const STEPS = ['refresh', 'plan', 'snapshot', 'write', 'total'] as const;
type Step = (typeof STEPS)[number];

/** One process: warm-up entry, full load, 1% update through BUILD's compiled modules; prints
 *  one JSON line { full: {step: ms}, update: {step: ms} }. */
async function child(build: string, n: number, sorted: boolean, wall: boolean, warm: boolean): Promise<void> {
  const mod = (p: string): Promise<any> => import(pathToFileURL(join(build, 'dist/firmware/src', p)).href);
  const { refreshFeed } = await mod('blocklist/refresh.js');
  const { GroupContents } = await mod('blocklist/groupContent.js');
  const { LastGoodStore } = await mod('blocklist/lastGood.js');
  const { buildGuard } = await mod('blocklist/guard.js');
  const { planSync, syncDocument } = await mod('blocklist/nftSync.js');
  const { emptyContent } = await mod('blocklist/prefixSets.js');
  const delta = await mod('blocklist/snapshotDelta.js');
  // a tree that reads only the changed lines of a download (lastParse.ts) gets its slot
  const reuse = existsSync(join(build, 'dist/firmware/src/blocklist/lastParse.js')) ? new (await mod('blocklist/lastParse.js')).ParseReuse() : undefined;
  // what utmd's start does before the first refresh, in a tree that has it (warmUp.ts)
  if (warm && existsSync(join(build, 'dist/firmware/src/blocklist/warmUp.js'))) await (await mod('blocklist/warmUp.js')).warmUp();
  const syn = generate(n, 42);
  const bodies: Array<[string, Buffer]> = [['warm', Buffer.from('# warm-up\n203.0.113.250\n')], ['full', feedBytes(syn, sorted)], ['update', feedBytes(change(syn, 7), sorted)]];
  const feed = { id: 'bench', urls: { v4: 'http://bench/feed.txt' }, format: 'plain', allowHostBits: false, minEntries: 1, maxShrinkRatio: 0.5, maxRejectRatio: 0.1, maxBytes: 2 ** 30 };
  const guard = buildGuard({ protected: [] });
  const dir = mkdtempSync(join(tmpdir(), 'utm-blpipe-'));
  // a tree that shares one ranges diff between the group patch and the snapshot (V4Diffs) gets it
  const diffs = delta.V4Diffs ? new delta.V4Diffs() : null;
  const diff = diffs ? (a: unknown, b: unknown): unknown => diffs.diff(a, b) : undefined;
  const contents = new GroupContents(diff);
  const store = new LastGoodStore(dir, diff);
  const layout = [{ id: 'g', direction: 'both' }];
  let applied = new Map([['g', emptyContent()]]);
  let usable: number | null = null;
  // CPU time of every thread (V8's background compiles included), or wall time (--wall)
  const cpu = wall ? (): number => performance.now() : (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const out: Record<string, Record<Step, number>> = {};
  try {
    for (const [phase, body] of bodies) {
      const sha256 = createHash('sha256').update(body).digest('hex');
      const c0 = cpu();
      const o = (await refreshFeed({
        feed, limits: { fetchTimeoutSeconds: 10, maxBytes: 2 ** 30 }, guard, validators: {}, lastGoodUsable: usable, reuse,
        fetch: () => Promise.resolve({ status: 'ok', body, sha256, finalUrl: feed.urls.v4, peers: [] }),
      })) as { kind: string; ranges: unknown; usable: number; v4Delta?: { base: unknown; delta: unknown } };
      if (o.kind !== 'ok') throw new Error(`${phase}: ${JSON.stringify(o)}`);
      // the change the patch already knows, handed on as BlocklistFeature does (a tree whose
      // refresh reports it): the group content and the snapshot then do not walk both lists
      if (o.v4Delta && diffs?.remember) diffs.remember(o.v4Delta.base, o.ranges, o.v4Delta.delta);
      const c1 = cpu();
      const content = contents.content('g', [o.ranges]);
      const { plans } = planSync('utm', applied, new Map([['g', content]]), layout, (id: string) => contents.change?.(id) ?? null);
      syncDocument(plans);
      const c2 = cpu();
      const snapshot = await store.prepare({ feedId: 'bench', savedAt: Date.now(), usable: o.usable, ranges: o.ranges });
      const c3 = cpu();
      await snapshot.write();
      const c4 = cpu();
      applied = new Map([['g', content]]);
      usable = o.usable;
      out[phase] = { refresh: c1 - c0, plan: c2 - c1, snapshot: c3 - c2, write: c4 - c3, total: c4 - c0 };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify({ full: out['full'], update: out['update'] })}\n`);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { child: { type: 'string' }, size: { type: 'string', default: '100000' }, reps: { type: 'string', default: '7' }, builds: { type: 'string', default: 'this=.' }, sorted: { type: 'boolean', default: false }, wall: { type: 'boolean', default: false }, 'no-warm-up': { type: 'boolean', default: false } } });
  const n = Number(values.size);
  if (values.child) return child(values.child, n, values.sorted, values.wall, !values['no-warm-up']);
  const compiled = compileBench(import.meta.url);
  const { flags, env, from } = benchNodeFlags();
  const builds = values.builds.split(',').map((b) => { const [name, dir] = b.split('='); return { name: name!, dir: resolve(dir === '.' ? packageRoot() : dir!) }; });
  for (const b of builds) if (!existsSync(join(b.dir, 'dist/firmware/src/blocklist/refresh.js'))) throw new Error(`${b.name}: ${b.dir} holds no compiled tree (npx tsc -p tsconfig.bench.json there)`);
  console.log(`${n} entries${values.sorted ? ' in address order' : ''}; ${values.wall ? 'wall' : 'CPU'} ms per step, median of ${values.reps} fresh processes per build, alternating (node ${flags.join(' ')}${Object.keys(env).length ? `, environment ${JSON.stringify(env)}` : ''} from ${from})`);
  const rows = new Map<string, Array<Record<'full' | 'update', Record<Step, number>>>>(builds.map((b) => [b.name, []]));
  for (let i = 0; i < Number(values.reps); i++) {
    for (const b of builds) {
      const stdout = execFileSync(process.execPath, [...flags, compiled, '--child', b.dir, '--size', String(n), ...(values.sorted ? ['--sorted'] : []), ...(values.wall ? ['--wall'] : []), ...(values['no-warm-up'] ? ['--no-warm-up'] : [])], { encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, ...env } });
      rows.get(b.name)!.push(JSON.parse(stdout.trim().split('\n').pop()!) as Record<'full' | 'update', Record<Step, number>>);
    }
  }
  for (const phase of ['full', 'update'] as const) {
    for (const b of builds) {
      const rs = rows.get(b.name)!;
      console.log(`${phase.padEnd(7)} ${b.name.padEnd(10)} ${STEPS.map((k) => `${k} ${median(rs.map((r) => r[phase][k])).toFixed(1).padStart(6)}`).join('  ')}`);
    }
  }
}

await main();
