// The flowtable is feature-detected (nft/flowtableProbe.ts): utmd renders one in router mode
// only where the kernel accepts it AND nft's JSON reader keeps its counter flag. Here the
// probe runs against the real kernel in a namespace this test creates, and its verdict is
// compared with what the kernel and nft do when asked directly: a native `nft -f` of a
// flowtable with counter in a throwaway table, then (if that worked) the same through JSON
// and read back. Whatever this machine's kernel offers, the probe must say the same.
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
  await execIn(ns, [NFT, 'delete', 'table', 'inet', 'direct']);
  // the kernel offers flowtables: does a JSON-loaded one keep its counter flag?
  const json = join(dir, 'probe.json');
  writeFileSync(json, JSON.stringify(flowtableProbeDoc('direct', ['wan0', 'lan0'])));
  await execIn(ns, [NFT, '-j', '-f', json]);
  const listed = await execIn(ns, [NFT, 'list', 'flowtable', 'inet', 'direct_ftprobe', 'ft']);
  t.is(verdict.available, /\bcounter\b/.test(listed), `probe: ${verdict.reason}; listed: ${listed}`);
});
