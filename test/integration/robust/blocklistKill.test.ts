// utmd killed (SIGKILL) at any moment of a large feed refresh: the next life starts from a whole
// last-good (the older list or the newer one, never a mix and never nothing), and its next refresh
// ends with the newer list enforced and saved. The failure this guards against: validators (ETag,
// hash) that say "this download is in last-good" while the snapshot on disk is the older one, so
// that the newer list would never be loaded again ("unchanged"). The kill lands at spread moments of
// the refresh: before the transaction, while the snapshot is encoded beside it, while it is written,
// between the file and the status row. Both kinds of save are covered: a delta against the base
// (1% changed) and a new base (the whole list replaced).
import test from 'ava';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LastGoodStore } from '../../../firmware/src/blocklist/lastGood.js';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { bootOneFeed } from '../../helpers/oneFeedBoot.js';

const SET = 'bl_fbothdrop_v4';
const CHILD = join(import.meta.dirname, 'fixtures/refreshChild.ts');
const N = 150_000;

/** `n` distinct public IPv4 addresses (first octet 20-59: no special-purpose block), seeded. */
function addresses(n: number, seed: number): string[] {
  let x = seed >>> 0;
  const out = new Set<number>();
  while (out.size < n) {
    x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0;
    out.add(((20 + (x % 40)) << 24 >>> 0) + (Math.imul(x, 2_654_435_761) >>> 8));
  }
  return [...out].map((a) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`);
}

const A = addresses(N, 1);
const inA = new Set(A);
const fresh = addresses(N, 2).filter((a) => !inA.has(a));
const bodies = {
  A: A.join('\n') + '\n',
  delta: [...A.slice(N / 100), ...fresh.slice(0, N / 100)].join('\n') + '\n', // 1% out, 1% in
  whole: fresh.slice(0, N).join('\n') + '\n',
};

/** What the parent saw: the child's lines, how it ended, and ms from its "next" to its "done" as seen here. */
interface ChildRun { lines: string[]; code: number | null; signal: NodeJS.Signals | null; refreshMs?: number }

/** Runs the child life; with `killAfterMs`, SIGKILLs it that long after it starts its second refresh. */
function runChild(dir: string, args: string[], killAfterMs?: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', CHILD, join(dir, 'state'), join(dir, 'utm.db'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    let timer: NodeJS.Timeout | undefined;
    let buf = '';
    let nextAt = 0;
    let refreshMs: number | undefined;
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        if (line === 'next') {
          nextAt = performance.now();
          if (killAfterMs !== undefined) timer = setTimeout(() => p.kill('SIGKILL'), killAfterMs);
        }
        if (line.startsWith('done ')) refreshMs = performance.now() - nextAt;
      }
    });
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ lines, code, signal, refreshMs });
    });
  });
}

/** What the next life finds and does over `dir`: the list enforced at start, the refresh's result
 *  and the list enforced and saved after it. */
async function nextLife(dir: string, body: string) {
  const db = openDb(join(dir, 'utm.db'), everyMigration);
  try {
    const h = await bootOneFeed(join(dir, 'state'), db, body);
    if (!(await h.applyFull())) throw new Error('the restart could not apply its ruleset');
    const atStart = [...(h.backend.elements('inet', SET) ?? [])].sort();
    const result = (await h.feature.refresh())[0]?.result;
    const after = [...(h.backend.elements('inet', SET) ?? [])].sort();
    await h.feature.stop();
    const saved = (await new LastGoodStore(join(dir, 'state')).loadAll(() => {})).find((s) => s.feedId === 'lab-c2')?.usable;
    return { atStart, result, after, saved };
  } finally {
    db.close();
  }
}

test.serial('utmd killed at any moment of a large refresh: the next life starts whole and ends with the newer list', async (t) => {
  t.timeout(600_000);
  const root = mkdtempSync(join(tmpdir(), 'utm-blkill-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const files = Object.fromEntries(Object.entries(bodies).map(([k, b]) => {
    const f = join(root, `${k}.txt`);
    writeFileSync(f, b);
    return [k, f];
  })) as Record<keyof typeof bodies, string>;

  const copyOf = (from: string, name: string): string => {
    const to = join(root, name);
    cpSync(from, to, { recursive: true });
    return to;
  };
  // the older life, once: A loaded and saved
  const template = join(root, 'template');
  mkdirSync(join(template, 'state'), { recursive: true });
  const base = await runChild(template, [files.A]);
  t.deepEqual(base.lines, ['first loaded']);

  const outcomes: string[] = [];
  for (const kind of ['delta', 'whole'] as const) {
    // the same refresh, not killed: how long it takes, and the lists it ends with
    const calib = join(root, `${kind}-calib`);
    cpSync(template, calib, { recursive: true });
    const whole = await runChild(calib, [files.A, files[kind]]);
    const done = whole.lines.find((l) => l.startsWith('done '))?.split(' ');
    t.is(done?.[1], 'loaded', `${kind}: the refresh loads when not killed`);
    const ms = whole.refreshMs ?? 0; // as this process sees it: the child's own clock starts later
    const older = (await nextLife(copyOf(template, `${kind}-older`), bodies.A)).after;
    const newer = (await nextLife(calib, bodies[kind])).after;
    t.true(older.length > 0 && newer.length > 0 && older.join() !== newer.join());

    // denser towards the end, where the snapshot and the status row are written
    for (const share of [0, 0.25, 0.5, 0.65, 0.75, 0.82, 0.88, 0.92, 0.96, 1, 1.1]) {
      const dir = copyOf(template, `${kind}-${share}`);
      const killAt = Math.round(ms * share);
      const r = await runChild(dir, [files.A, files[kind]], killAt);
      const life = await nextLife(dir, bodies[kind]);
      const start = life.atStart.join() === older.join() ? 'older' : life.atStart.join() === newer.join() ? 'newer' : `${life.atStart.length} entries`;
      outcomes.push(`${kind} killed at ${killAt} ms (${r.signal ?? `exit ${r.code}`}): started with the ${start} list, refresh ${life.result} [${r.lines.join(" | ")}]`);
      t.true(start === 'older' || start === 'newer', `${kind} at ${killAt} ms: the restart enforces a whole last-good (${start})`);
      t.deepEqual(life.after, newer, `${kind} at ${killAt} ms: the newer list is enforced after the next refresh (${life.result})`);
      t.is(life.saved, new Set(bodies[kind].trim().split('\n')).size, `${kind} at ${killAt} ms: and saved`);
    }
  }
  t.log(`refresh of ${N.toLocaleString('en')} entries:\n  ${outcomes.join('\n  ')}`);
});
