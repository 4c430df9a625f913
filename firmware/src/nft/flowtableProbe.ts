// Is a flowtable (software offload of established flows, router mode) available here? Asked
// once per set of ports at the first apply: `nft -c` sends the batch to the kernel and
// aborts it, so the probe changes nothing. Two things must hold: the kernel accepts a
// flowtable with the `counter` flag on the box's ports (a kernel without CONFIG_NF_FLOW_TABLE
// answers "Could not process rule: No such file or directory"), and nft sends that flag
// (`--debug=netlink` shows the flags it sends). Without the flag an offloaded flow stops
// updating conntrack's byte counters, and with them the per-device counts.
// nft's JSON reader drops a flowtable's flags (1.0.6 here, and 1.1.3, the nft Debian 13 ships
// on the box: measured in test/bench/flowtableVm.bench.ts), so the probe asks in native
// syntax, and the flag reaches the kernel as a native-syntax update of the flowtable right
// after the JSON apply (flowtableCounterText): the kernel takes a flags change on an existing
// flowtable. When the probe fails the box forwards without a flowtable and says why.
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

/** Pure: the same probe as a JSON document: what nft's JSON reader makes of the counter flag
 *  (it drops it; the integration test and test/bench/flowtableVm.bench.ts show it). */
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

/** Quotes a device name for nft's native syntax (names come from the validated config). */
const dev = (name: string): string => JSON.stringify(name);

/** Pure: the probe in native syntax: a throwaway table with a flowtable on `devices` (counter
 *  flag) and a forward chain that adds flows to it, as the router ruleset would. */
export function flowtableProbeText(table: string, devices: readonly string[]): string {
  return `table inet ${table}_ftprobe {\n flowtable ft { hook ingress priority filter; devices = { ${devices.map(dev).join(', ')} }; counter; }\n` +
    ' chain forward { type filter hook forward priority filter; policy accept; flow add @ft; }\n}\n';
}

/** Pure: the native-syntax update that sets the counter flag on the flowtable `name` of the
 *  router ruleset (table `table`), applied right after the JSON document that created it
 *  without flags. Same hook, priority and devices as rendered: only the flags change. */
export function flowtableCounterText(table: string, name: string, devices: readonly string[]): string {
  return `add flowtable inet ${table} ${name} { hook ingress priority filter; devices = { ${devices.map(dev).join(', ')} }; counter; }\n`;
}

/** Pure: the verdict from `nft -c --debug=netlink -f PROBE`'s exit code and output. */
export function readFlowtableProbe(code: number | null, stdout: string, stderr: string): FlowtableVerdict {
  if (code !== 0) {
    const err = /Error: (.*)/.exec(stderr)?.[1]?.trim() ?? (stderr.trim().split('\n')[0] || `nft exited ${String(code)}`);
    return { available: false, reason: `the kernel refused a flowtable: ${err.slice(0, 200)}` };
  }
  const flags = /^flow table .* flags (\d+)/m.exec(stdout)?.[1];
  if (flags === undefined) return { available: false, reason: 'nft did not show the flowtable it would send (flags unknown)' };
  if ((Number(flags) & COUNTER_FLAG) === 0) {
    return { available: false, reason: 'this nft drops the flowtable\'s counter flag: offloaded flows would stop counting bytes in conntrack' };
  }
  return { available: true, reason: 'the kernel accepts a flowtable with counter on the ports' };
}

/** Runs nft on a native-syntax file holding `text` (nft reads a file's errors with line numbers). */
async function nftOnFile(nft: readonly string[], args: readonly string[], text: string, allowFailure: boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'utm-ft-'));
  try {
    const file = join(dir, 'flowtable.nft');
    await writeFile(file, text, { mode: 0o600 });
    return await run([...nft, ...args, '-f', file], { allowFailure, timeoutMs: 30_000, maxOutput: 1024 * 1024 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Adapter: runs the probe (`nft -c`, nothing is applied). Never throws. */
export async function probeFlowtable(table: string, devices: readonly string[], nft: readonly string[] = [systemBin('nft')]): Promise<FlowtableVerdict> {
  if (!devices.length) return { available: false, reason: 'no ports to offload between' };
  try {
    const r = await nftOnFile(nft, ['-c', '--debug=netlink'], flowtableProbeText(table, devices), true);
    return readFlowtableProbe(r.code, r.stdout, r.stderr);
  } catch (e) {
    return { available: false, reason: `the probe could not run: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Adapter: sets the counter flag on the router ruleset's flowtable `name` in `table` (right
 *  after the JSON apply that created it). Throws RunError when nft or the kernel refuses. */
export async function setFlowtableCounter(table: string, name: string, devices: readonly string[], nft: readonly string[] = [systemBin('nft')]): Promise<void> {
  await nftOnFile(nft, [], flowtableCounterText(table, name, devices), false);
}
