// The exact command of utmd-restore.service, run in a fresh network namespace as at boot:
// it loads a last-good document into an empty kernel, replaces our tables on a second run,
// leaves other tables alone, and a corrupt file changes nothing (one transaction).
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_STATE_DIR } from '../../../firmware/src/sys/paths.js';
import { toolMissing } from '../../helpers/tools.js';
import { renderRuleset } from '../../../firmware/src/nft/render.js';
import { BasePolicySchema, type Policy } from '../../../firmware/src/nft/policy.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LAST_GOOD = `${DEFAULT_STATE_DIR}/ruleset.last-good.json`;
// By absolute path: under npx/ava, node_modules/.bin is on PATH and its `nft` is @vercel/nft
// (an ava dependency), which exits 0 on anything.
const NFT = '/usr/sbin/nft';

/** A last-good document as utmd writes it: the renderer's output for a fixture policy. */
function lastGoodDoc(mode: 'bridge' | 'router'): string {
  const base = BasePolicySchema.parse(JSON.parse(readFileSync(join(ROOT, 'rules/base-policy.json'), 'utf8')));
  const policy = { ...JSON.parse(readFileSync(join(ROOT, `test/fixtures/nft/policy-${mode}.json`), 'utf8')), base } as Policy;
  return JSON.stringify(renderRuleset(policy));
}

function sh(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(argv[0] as string, argv.slice(1), { maxBuffer: 16 << 20 }, (e, stdout, stderr) => {
      const code = e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : 127) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** ExecStart of utmd-restore.service as argv, with the last-good path swapped for `file`. */
function restoreArgv(file: string): string[] {
  const unit = readFileSync(join(ROOT, 'image/systemd/utmd-restore.service'), 'utf8');
  const line = unit.split('\n').find((l) => l.startsWith('ExecStart='));
  if (!line) throw new Error('utmd-restore.service has no ExecStart');
  const argv = line.slice('ExecStart='.length).trim().split(/\s+/);
  const i = argv.indexOf(LAST_GOOD);
  if (i < 0) throw new Error(`ExecStart does not name ${LAST_GOOD}`);
  argv[i] = file;
  return argv;
}

const tablesIn = async (ns: string): Promise<string[]> => {
  const r = await sh(['ip', 'netns', 'exec', ns, NFT, '-j', 'list', 'tables']);
  if (r.code !== 0 || !r.stdout) throw new Error(`nft list tables in ${ns}: ${JSON.stringify(r)}`);
  const doc = JSON.parse(r.stdout) as { nftables: { table?: { family: string; name: string } }[] };
  return doc.nftables.flatMap((x) => (x.table ? [`${x.table.family} ${x.table.name}`] : [])).sort();
};
const chainsIn = async (ns: string, family: string, table: string): Promise<string[]> => {
  const r = await sh(['ip', 'netns', 'exec', ns, NFT, '-j', 'list', 'table', family, table]);
  const doc = JSON.parse(r.stdout) as { nftables: { chain?: { name: string } }[] };
  return doc.nftables.flatMap((x) => (x.chain ? [x.chain.name] : [])).sort();
};

test('the restore unit command enforces last-good on an empty kernel and touches only our tables', async (t) => {
  if (process.getuid?.() !== 0) {
    toolMissing(t, 'needs root for network namespaces');
    return;
  }
  const ns = `utmimg-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'utm-restore-'));
  t.teardown(async () => {
    await sh(['ip', 'netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  });
  const added = await sh(['ip', 'netns', 'add', ns]);
  t.is(added.code, 0, added.stderr);
  // Someone else's table on the same box.
  const foreign = await sh(['ip', 'netns', 'exec', ns, NFT, 'add table inet office; add chain inet office keep']);
  t.is(foreign.code, 0, foreign.stderr);

  const file = join(dir, 'ruleset.last-good.json');
  writeFileSync(file, lastGoodDoc('bridge'));
  const first = await sh(['ip', 'netns', 'exec', ns, ...restoreArgv(file)]);
  t.is(first.code, 0, first.stderr);
  t.deepEqual(await tablesIn(ns), ['bridge utm', 'inet office', 'inet utm']);
  t.deepEqual(await chainsIn(ns, 'inet', 'utm'), docChains(lastGoodDoc('bridge')));
  t.true(docChains(lastGoodDoc('bridge')).includes('forward'));

  // A second restore (utmd restarting, or a different last-good) replaces our table whole.
  writeFileSync(file, lastGoodDoc('router'));
  const second = await sh(['ip', 'netns', 'exec', ns, ...restoreArgv(file)]);
  t.is(second.code, 0, second.stderr);
  t.deepEqual(await chainsIn(ns, 'inet', 'utm'), docChains(lastGoodDoc('router')));
  t.true(docChains(lastGoodDoc('router')).includes('postrouting'), 'the router document, not the bridge one');

  // A corrupt file fails the unit and leaves what is in the kernel as it was.
  writeFileSync(file, '{"nftables":[{"add":{"table":{"family":"inet","name":"utm"}}},{"delete":{"table":{"family":"inet","name":"utm"}}},{"add":{"chain":');
  const corrupt = await sh(['ip', 'netns', 'exec', ns, ...restoreArgv(file)]);
  t.not(corrupt.code, 0);
  t.deepEqual(await chainsIn(ns, 'inet', 'utm'), docChains(lastGoodDoc('router')));
  t.true(docChains(lastGoodDoc('router')).includes('postrouting'), 'the router document, not the bridge one');
  t.deepEqual(await chainsIn(ns, 'inet', 'office'), ['keep']);
});

/** The inet chains a last-good document defines, sorted (what the kernel must hold after a restore). */
function docChains(doc: string): string[] {
  type Chain = { family: string; table: string; name: string };
  const parsed = JSON.parse(doc) as { nftables: Array<{ chain?: Chain; add?: { chain?: Chain } }> };
  return parsed.nftables.flatMap((c) => {
    const chain = c.chain ?? c.add?.chain;
    return chain && chain.family === 'inet' && chain.table === 'utm' ? [chain.name] : [];
  }).sort();
}
