// Is a flowtable (software offload of established flows, router mode) available here? Asked
// once per set of ports at the first apply: `nft -c` sends the batch to the kernel and
// aborts it, so the probe changes nothing. Two things must hold: the kernel accepts a
// flowtable on the box's ports (a kernel without CONFIG_NF_FLOW_TABLE answers "Could not
// process rule: No such file or directory"), and nft's JSON reader passes its `counter`
// flag on (nft 1.0.6 drops it: the flowtable would then stop conntrack's byte accounting
// of offloaded flows, and with it the per-device counts). nft's `--debug=netlink` shows the
// flags it sends. When either fails the box forwards without a flowtable and says why.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemBin } from '../sys/bin.js';
import { run } from '../sys/run.js';
import type { NftDocument } from './json.js';

export interface FlowtableVerdict {
  available: boolean;
  /** Why not (nft's own words), or what was checked. */
  reason: string;
}

/** NF_FLOWTABLE_COUNTER in the kernel's flowtable flags. */
const COUNTER_FLAG = 2;

/** Pure: the probe's document: a throwaway table with a flowtable on `devices` (counter
 *  flag) and a forward chain that adds flows to it, as the router ruleset would. */
export function flowtableProbeDoc(table: string, devices: readonly string[]): NftDocument {
  const t = `${table}_ftprobe`;
  return { nftables: [
    { metainfo: { json_schema_version: 1 } },
    { add: { table: { family: 'inet', name: t } } },
    { add: { flowtable: { family: 'inet', table: t, name: 'ft', hook: 'ingress', prio: 0, dev: [...devices], flags: ['counter'] } } },
    { add: { chain: { family: 'inet', table: t, name: 'forward', type: 'filter', hook: 'forward', prio: 0, policy: 'accept' } } },
    { add: { rule: { family: 'inet', table: t, chain: 'forward', expr: [{ flow: { op: 'add', flowtable: '@ft' } }] } } },
  ] };
}

/** Pure: the verdict from `nft -c -j --debug=netlink -f PROBE`'s exit code and output. */
export function readFlowtableProbe(code: number | null, stdout: string, stderr: string): FlowtableVerdict {
  if (code !== 0) {
    const err = /Error: (.*)/.exec(stderr)?.[1]?.trim() ?? (stderr.trim().split('\n')[0] || `nft exited ${String(code)}`);
    return { available: false, reason: `the kernel refused a flowtable: ${err.slice(0, 200)}` };
  }
  const flags = /^flow table .* flags (\d+)/m.exec(stdout)?.[1];
  if (flags === undefined) return { available: false, reason: 'nft did not show the flowtable it would send (flags unknown)' };
  if ((Number(flags) & COUNTER_FLAG) === 0) {
    return { available: false, reason: 'this nft drops the flowtable\'s counter flag from JSON: offloaded flows would stop counting bytes in conntrack' };
  }
  return { available: true, reason: 'the kernel accepts a flowtable with counter on the ports' };
}

/** Adapter: runs the probe (`nft -c`, nothing is applied). Never throws. */
export async function probeFlowtable(table: string, devices: readonly string[], nft: readonly string[] = [systemBin('nft')]): Promise<FlowtableVerdict> {
  if (!devices.length) return { available: false, reason: 'no ports to offload between' };
  const dir = await mkdtemp(join(tmpdir(), 'utm-ftprobe-'));
  try {
    const file = join(dir, 'probe.json');
    await writeFile(file, JSON.stringify(flowtableProbeDoc(table, devices)), { mode: 0o600 });
    const r = await run([...nft, '-c', '-j', '--debug=netlink', '-f', file], { allowFailure: true, timeoutMs: 30_000, maxOutput: 1024 * 1024 });
    return readFlowtableProbe(r.code, r.stdout, r.stderr);
  } catch (e) {
    return { available: false, reason: `the probe could not run: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
