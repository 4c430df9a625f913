// The flowtable is feature-detected (nft/flowtableProbe.ts): utmd renders one in router mode
// only where the kernel accepts it with its counter flag (set in native syntax: nft's JSON
// reader drops flowtable flags). Here the probe runs against the real kernel in a namespace
// this test creates, and its verdict is compared with what the kernel and nft do when asked
// directly: a native `nft -f` of a flowtable with counter in a throwaway table, listed back.
// Whatever this machine's kernel offers, the probe must say the same. (A kernel with
// flowtables: test/bench/flowtableVm.bench.ts boots Debian 13's.)
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flowtableProbeDoc, probeFlowtable } from '../../../firmware/src/nft/flowtableProbe.js';
import { addDummy, addNamespace, deleteNamespace, execIn, execInResult, newLabId } from '../../lab/netns.js';

const NFT = '/usr/sbin/nft';

test('the flowtable probe says what the kernel and nft do when asked directly', async (t) => {
  const ns = `utm-ftp-${newLabId()}`;
  const dir = mkdtempSync(join(tmpdir(), 'utm-ftp-'));
  await addNamespace(ns);
  t.teardown(async () => {
    rmSync(dir, { recursive: true, force: true });
    await deleteNamespace(ns);
  });
  await addDummy(ns, 'wan0');
  await addDummy(ns, 'lan0');
  const verdict = await probeFlowtable('utm', ['wan0', 'lan0'], ['ip', 'netns', 'exec', ns, NFT]);
  t.log(verdict);
  // the probe changed nothing
  t.is((await execIn(ns, [NFT, 'list', 'ruleset'])).trim(), '');

  const native = join(dir, 'native.nft');
  writeFileSync(native, 'table inet direct {\n flowtable ft { hook ingress priority filter; devices = { wan0, lan0 }; counter; }\n}\n');
  const direct = await execInResult(ns, [NFT, '-f', native]);
  if (direct.code !== 0) {
    // e.g. a kernel without CONFIG_NF_FLOW_TABLE: "Could not process rule: No such file or directory"
    const kernelSays = /Error: (.*)/.exec(direct.stderr)?.[1]?.trim() ?? '';
    t.false(verdict.available);
    t.true(kernelSays.length > 0 && verdict.reason.includes(kernelSays), `probe: ${verdict.reason}; kernel: ${direct.stderr}`);
    return;
  }
  // the kernel offers flowtables: does the one loaded in native syntax keep its counter flag?
  const listed = await execIn(ns, [NFT, 'list', 'flowtable', 'inet', 'direct', 'ft']);
  await execIn(ns, [NFT, 'delete', 'table', 'inet', 'direct']);
  t.is(verdict.available, /\bcounter\b/.test(listed), `probe: ${verdict.reason}; listed: ${listed}`);
  // for the record: the same through JSON (nft 1.0.6 and 1.1.3 drop the flag there)
  const json = join(dir, 'probe.json');
  writeFileSync(json, JSON.stringify(flowtableProbeDoc('direct', ['wan0', 'lan0'])));
  await execIn(ns, [NFT, '-j', '-f', json]);
  t.log(`through JSON: ${await execIn(ns, [NFT, 'list', 'flowtable', 'inet', 'direct_ftprobe', 'ft'])}`);
});
