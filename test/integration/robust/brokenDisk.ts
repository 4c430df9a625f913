// Shared by the broken-state-dir worlds (diskFullApply.test.ts: full; readOnly.test.ts: turned
// read-only): conditions read through utmctl, and the world "utmd killed and started again
// while the state dir stays broken".
import type { ExecutionContext } from 'ava';
import { chmodSync, chownSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../../lab/lab.js';
import { startUtmd, labUtmdConfig, labProvisioning, type Utmd } from '../../lab/utmd.js';
import { startTcpListener, tcpProbe } from '../../lab/services.js';
import { waitFor } from '../../lab/poll.js';
import { internetWeb, pageFrom, tryLease, waitPorts } from '../ports/helpers.js';
import { createLab } from '../../lab/lab.js';
import { privateMac } from '../devices/clients.js';
import type { DhcpClient } from '../devices/clients.js';
import { refresh, type FeedLab } from '../blocklist/helpers.js';
import { HELD_FILE } from '../../../firmware/src/app/heldFile.js';

export type Cond = { id: string; ok: boolean; detail?: string };

export const cond = async (utmd: Utmd, id: string): Promise<Cond | undefined> =>
  ((await utmd.status()) as { conditions: Cond[] }).conditions.find((c) => c.id === id);

export async function waitCond(utmd: Utmd, id: string, ok: boolean, timeoutMs = 20_000): Promise<Cond> {
  return waitFor(async () => { const c = await cond(utmd, id); return c?.ok === ok ? c : undefined; }, { what: `condition ${id} ${ok ? 'ok' : 'down'}`, timeoutMs });
}

/** Where a broken-disk world's utmd keeps its state and runtime files. */
export interface BrokenDirs { stateDir: string; runtimeDir: string }

export interface RestartWorld {
  mode: 'router' | 'bridge';
  /** Breaks the state dir (fills it, makes it read-only) while the first utmd runs. */
  breakDisk: (first: Utmd) => Promise<void>;
  /** Runs before breakDisk (e.g. a lease to be kept). */
  before?: ((first: Utmd) => Promise<void>) | undefined;
  id: string;
}

/**
 * utmd started on `d`, the state dir broken, utmd killed (kill -9) and started again as systemd
 * would (runtime dir emptied): the office must be forwarded and the listed address blocked,
 * ulogd2 run, in router mode dnsmasq run and a new office PC get a lease, the page and utmctl
 * answer. Returns the second utmd and, in router mode, the new PC's lease (stopped) and MAC.
 */
export async function killAndRestart(t: ExecutionContext, lab: Lab, d: BrokenDirs, w: RestartWorld): Promise<{ second: Utmd; pc: { mac: string; lease: DhcpClient | null } | null }> {
  const web = await internetWeb(lab);
  const { malware } = lab.internet;
  await startTcpListener(lab, lab.ns.wan, [{ addr: malware.v4, port: 443 }]);
  const config = { ...labUtmdConfig(lab, [malware.v4]), storage: { minFreeMb: 4, checkSeconds: 1 } };
  const provisioning = labProvisioning(w.id, { learningDays: 0 });
  const env = { RUNTIME_DIRECTORY: d.runtimeDir };
  const first = await startUtmd(lab, { stateDir: d.stateDir, config, provisioning, env });
  await waitCond(first, w.mode === 'router' ? 'sensor:dnsmasq' : 'sensor:ulogd', true, 30_000);
  await w.before?.(first);
  await w.breakDisk(first);
  process.kill(first.proc.pid, 'SIGKILL');
  await waitFor(() => first.proc.exitStatus() !== undefined, { what: 'utmd gone' });
  systemdRestart(d);

  const second = await startUtmd(lab, { stateDir: d.stateDir, config, provisioning, env });
  t.teardown(() => second.stop());
  const pc = await officeServed(t, lab, second, w.mode, web);
  return { second, pc };
}

/** nft documents (JSON) left in the runtime dir: none once nft answered. The findings the
 *  store could not take are kept there too, by design (app/heldFile.ts). */
export function nftDocumentsLeft(runtimeDir: string): string[] {
  return readdirSync(runtimeDir).filter((f) => f.endsWith('.json') && f !== HELD_FILE);
}

/** What systemd does between a stop and a start: it empties the unit's RuntimeDirectory and
 *  makes it again (root, 0700). */
export function systemdRestart(d: BrokenDirs): void {
  for (const f of readdirSync(d.runtimeDir)) rmSync(join(d.runtimeDir, f), { recursive: true, force: true });
  chownSync(d.runtimeDir, 0, 0);
  chmodSync(d.runtimeDir, 0o700);
}

/** The office forwarded to `web` and the listed malware address blocked, ulogd2 running (the
 *  blocklist hits and flows it reports), in router mode dnsmasq running and a new office PC
 *  leased; the page and utmctl answer. Returns that PC's MAC and lease (stopped). */
export async function officeServed(t: ExecutionContext, lab: Lab, utmd: Utmd, mode: 'router' | 'bridge', web: { addr: string; port: number }): Promise<{ mac: string; lease: DhcpClient | null } | null> {
  const host = lab.hosts[0]!;
  await waitFor(async () => {
    const [fwd, blk] = await tcpProbe(host.ns, [web, { addr: lab.internet.malware.v4, port: 443 }], { timeoutMs: 1500 });
    return fwd?.outcome === 'connected' && blk?.outcome === 'timeout';
  }, { what: 'forwarded and blocked on a broken disk', timeoutMs: 30_000 });
  await waitCond(utmd, 'sensor:ulogd', true, 30_000);
  let pc: { mac: string; lease: DhcpClient | null } | null = null;
  if (mode === 'router') {
    await waitCond(utmd, 'sensor:dnsmasq', true, 30_000);
    const host2 = await lab.addLanHost({ mac: privateMac(), addressing: 'none' });
    const lease = await tryLease(lab, host2, 40_000);
    t.truthy(lease, 'a new office PC gets a lease');
    t.regex(lease?.address ?? '', /^192\.168\.77\.\d+$/);
    await lease?.stop();
    pc = { mac: host2.mac, lease };
  }
  t.is(await pageFrom(lab, host.ns), 'connected', 'the page answers');
  t.is((await utmd.ctl(['status'])).code, 0, 'utmctl status answers');
  return pc;
}

/**
 * Router: utmd started on `dirs(t, lab)` with the ISP router unplugged (ports unproven), the
 * disk broken (`breakDisk`), then the router plugged in: the ports must be worked out, and the
 * office PC get a lease and reach the internet (the new ruleset applied, dnsmasq started on the
 * broken disk). `beforeBreak` runs once the ports are unproven. Returns the running utmd and
 * the office's lease (running).
 */
export async function plugRouterWhileBroken<D extends BrokenDirs>(t: ExecutionContext, id: string, dirs: (t: ExecutionContext, lab: Lab) => Promise<D>,
  breakDisk: (d: D, u: Utmd) => Promise<void>, beforeBreak?: (d: D) => void): Promise<{ lab: Lab; d: D; utmd: Utmd; office: DhcpClient | null }> {
  const lab = await createLab({ mode: 'router', routerUnplugged: true, lanAddressing: 'none' });
  t.teardown(() => lab.destroy());
  const d = await dirs(t, lab);
  const web = await internetWeb(lab);
  // no reserve (app/storage.ts): a disk that stays full, the reserve spent (or never made)
  const config = { ...labUtmdConfig(lab), interfaces: {}, lan: {}, storage: { minFreeMb: 4, checkSeconds: 1, reserveMb: 0 } };
  const utmd = await startUtmd(lab, { stateDir: d.stateDir, config, provisioning: labProvisioning(id), env: { RUNTIME_DIRECTORY: d.runtimeDir } });
  t.teardown(() => utmd.stop());
  await waitPorts(utmd, (p) => !p.proven && p.problems.some((x) => x.code === 'no-evidence'), 'ports unproven');
  beforeBreak?.(d);
  await breakDisk(d, utmd);
  await lab.plugRouter();
  await waitPorts(utmd, (p) => p.proven && p.wan === lab.box.wanIf, 'the ports worked out once the router is there');
  const office = await tryLease(lab, lab.hosts[0]!, 40_000);
  t.truthy(office, `the office PC got a lease on a broken disk (DHCP server: ${JSON.stringify(await cond(utmd, 'sensor:dnsmasq'))})`);
  t.teardown(() => office?.stop());
  await waitFor(async () => (await tcpProbe(lab.hosts[0]!.ns, [web], { timeoutMs: 1500 }))[0]?.outcome === 'connected',
    { what: 'the office reaches the internet on a broken disk', timeoutMs: 20_000 });
  return { lab, d, utmd, office };
}

/**
 * utmd started for the first time on `d` as it is (broken already): the office must be
 * forwarded and the listed address blocked, ulogd2 run, in router mode dnsmasq run and a new
 * office PC get a lease, the page and utmctl answer. Returns the running utmd.
 */
export async function servedFromStart(t: ExecutionContext, lab: Lab, d: BrokenDirs, mode: 'router' | 'bridge', id: string): Promise<Utmd> {
  const web = await internetWeb(lab);
  const { malware } = lab.internet;
  await startTcpListener(lab, lab.ns.wan, [{ addr: malware.v4, port: 443 }]);
  const utmd = await startUtmd(lab, {
    stateDir: d.stateDir, config: labUtmdConfig(lab, [malware.v4]), provisioning: labProvisioning(id, { learningDays: 0 }),
    env: { RUNTIME_DIRECTORY: d.runtimeDir },
  });
  t.teardown(() => utmd.stop());
  await officeServed(t, lab, utmd, mode, web);
  return utmd;
}

/**
 * Bridge: utmd enforcing a one-address list on `d`, the state dir broken, then a feed update
 * with a second address: loaded, enforced (one nft transaction, its document on the tmpfs,
 * none left behind), the feed's condition says it is not saved. Returns the running utmd.
 */
export async function feedUpdateWhileBroken(t: ExecutionContext, fl: FeedLab, d: BrokenDirs, breakDisk: (u: Utmd) => Promise<void>, [X, Y]: [string, string]): Promise<Utmd> {
  fl.writeFeed([X]);
  await fl.serve();
  // no reserve (app/storage.ts): a disk that stays full, the reserve spent (or never made)
  const config = { ...fl.config, storage: { minFreeMb: 4, checkSeconds: 1, reserveMb: 0 } };
  const utmd = await startUtmd(fl.lab, { stateDir: d.stateDir, config, env: { RUNTIME_DIRECTORY: d.runtimeDir } });
  t.teardown(() => utmd.stop());
  await fl.until(X, 'timeout', 'the first list enforced');
  t.is(await fl.probe(Y), 'connected');

  await breakDisk(utmd);
  fl.writeFeed([X, Y]);
  const r = await refresh(utmd);
  t.is(r.find((x) => x.feedId === 'lab-c2')?.result, 'loaded', JSON.stringify(r));
  await fl.until(Y, 'timeout', 'the new address blocked on a broken state dir');
  t.is(await fl.probe(X), 'timeout');
  t.deepEqual(nftDocumentsLeft(d.runtimeDir), [], 'no document left on the tmpfs');
  t.regex((await waitCond(utmd, 'feed:lab-c2', false)).detail ?? '', /2 entries enforced, not saved/);
  return utmd;
}
