// A small tmpfs state dir filled up, then freed: utmd stays up and keeps enforcing (a
// forwarded packet, a blocked packet), the page and utmctl show the full disk, the alert it
// could not store is stored and sent once space returns, all without a restart. The first two
// worlds have no reserve (storage.reserveMb 0: spent already, or the disk was too full to make
// one); the third has the default one, and the centre hears of the full disk and of a blocked
// contact while the disk stays full; the fourth starts again after a clean stop on a full disk.
import test, { type ExecutionContext } from 'ava';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createLab } from '../../lab/lab.js';
import { startTcpListener, tcpProbe } from '../../lab/services.js';
import { startUdpCollector } from '../../lab/collector.js';
import { startUtmd, labUtmdConfig, labProvisioning } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import { run } from '../../lab/run.js';
import type { Alert } from '../../../firmware/src/alerts/types.js';
import { fillUp, httpGet } from './helpers.js';
import { privateMac, runDhclient, WINDOWS_10 } from '../devices/clients.js';

type Cond = { id: string; ok: boolean; detail?: string };
type Status = { conditions: Cond[]; storage: { writeFailures: number; held: number; low: boolean; reserve: { present: boolean; released: number } } };

/** A lab whose state dir is a 24 MB tmpfs, a collector, a web server and a blocked address
 *  listening on the internet side, and utmd's config (4 MB kept free; `reserveMb` as given,
 *  else the product's default). */
async function fullDiskLab(t: ExecutionContext, mode: 'bridge' | 'router', reserveMb?: number) {
  const lab = await createLab({ mode, lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const stateDir = join(lab.dir, 'state');
  mkdirSync(stateDir, { recursive: true });
  await run(['mount', '-t', 'tmpfs', '-o', 'size=24m,mode=0700', 'utm-test-state', stateDir]);
  t.teardown(async () => { await run(['umount', '-l', stateDir]); });
  const collector = await startUdpCollector(lab);
  const { web, malware } = lab.internet;
  await startTcpListener(lab, lab.ns.wan, [{ addr: web.v4, port: 80 }, { addr: malware.v4, port: 443 }]);
  const config = { ...labUtmdConfig(lab, [malware.v4]), storage: { minFreeMb: 4, checkSeconds: 1, ...(reserveMb === undefined ? {} : { reserveMb }) } };
  const host = lab.hosts[0]!;
  /** A forwarded and a blocked connection from the LAN host: their outcomes. */
  const enforcement = async (): Promise<[string | undefined, string | undefined]> => {
    const [fwd, blk] = await tcpProbe(host.ns, [{ addr: web.v4, port: 80 }, { addr: malware.v4, port: 443 }], { timeoutMs: 1500 });
    return [fwd?.outcome, blk?.outcome];
  };
  return { lab, stateDir, collector, config, host, enforcement };
}

for (const mode of ['bridge', 'router'] as const) test.serial(`${mode}: state dir full, then freed: enforcement, page and utmctl go on; recovery by itself`, async (t) => {
  const { lab, stateDir, collector, config, host, enforcement } = await fullDiskLab(t, mode, 0);
  const utmd = await startUtmd(lab, { stateDir, config, provisioning: labProvisioning('box-robust-02', { learningDays: 0 }) });
  t.teardown(() => utmd.stop());
  const page = `http://${lab.box.lanAddress.v4}/`;
  t.deepEqual(await enforcement(), ['connected', 'timeout'], 'before: forwarded and blocked');
  const status = async (): Promise<Status> => (await utmd.status()) as Status;
  await waitFor(async () => (await status()).conditions.some((c) => c.id === 'disk' && c.ok), { what: 'disk ok', timeoutMs: 15_000 });
  if (mode === 'router') await waitFor(async () => (await status()).conditions.some((c) => c.id === 'sensor:dnsmasq' && c.ok), { what: 'dnsmasq running', timeoutMs: 30_000 });

  // fill the state dir to the last byte
  const filler = join(stateDir, 'filler');
  fillUp(filler);
  // utmd notices the full disk by itself
  await waitFor(async () => (await status()).conditions.some((c) => c.id === 'disk' && !c.ok), { what: 'disk condition down', timeoutMs: 15_000 });
  // a new alert (a blocked contact from a fresh port) cannot be stored: counted, never a crash
  t.deepEqual(await enforcement(), ['connected', 'timeout'], 'while full: still forwarded and blocked');
  const full = await waitFor(async () => { const s = await status(); return s.conditions.some((c) => c.id === 'storage' && !c.ok) ? s : undefined; },
    { what: 'storage condition down', timeoutMs: 20_000 });
  t.true(full.storage.writeFailures > 0);
  t.is(utmd.proc.exitStatus(), undefined, 'utmd is still running');
  // utmctl answers and exits 0 for status; the page answers and shows the failing storage
  t.is((await utmd.ctl(['status'])).code, 0);
  const health = await httpGet(host.ns, `${page}api/health`);
  t.is(health.status, 200);
  const h = JSON.parse(health.body ?? '{}') as { ok: boolean; conditions: Cond[] };
  t.false(h.ok);
  t.true(h.conditions.some((c) => c.id === 'storage' && !c.ok));
  if (mode === 'router') {
    // the office still gets addresses from the box while its disk is full
    const pc = await lab.addLanHost({ mac: privateMac(), addressing: 'none' });
    const lease = await runDhclient(lab, pc, { ...WINDOWS_10, hostname: 'pc-disk-full' });
    t.regex(lease.address, /^192\.168\.77\.\d+$/, 'a lease while the disk is full');
    await lease.stop();
  }
  const home = await httpGet(host.ns, page);
  t.is(home.status, 200);
  t.regex(home.body ?? '', /class="cond-ng">\s*<td>storage<\/td>/, 'the page lists the failing storage');
  t.notRegex(home.body ?? '', /state-safe/, 'the page does not say all is well');

  // space returns: recovery without a restart; what could not be stored is stored and sent
  rmSync(filler);
  await waitFor(async () => { const s = await status(); return s.conditions.every((c) => (c.id === 'storage' || c.id === 'disk' ? c.ok : true)); },
    { what: 'storage and disk ok again', timeoutMs: 20_000 });
  const alerts = await waitFor(async () => { const a = JSON.parse((await utmd.ctl(['alerts', '--json'])).stdout) as Alert[]; return a.some((x) => x.kind === 'storage_failed') ? a : undefined; },
    { what: 'the storage alert stored after recovery', timeoutMs: 20_000 });
  t.true(alerts.some((a) => a.kind === 'disk_low'));
  await collector.waitFor((line) => line.includes('storage_failed'), 30_000);
  t.deepEqual(await enforcement(), ['connected', 'timeout'], 'after: forwarded and blocked');
  t.is(utmd.proc.exitStatus(), undefined);
});

test.serial('router: state dir filled up by someone else, with the reserve: the centre hears of the full disk and of a blocked contact while it stays full', async (t) => {
  // the product's default reserve (8 MB); 4 MB more kept free
  const { lab, stateDir, collector, config, host, enforcement } = await fullDiskLab(t, 'router');
  const utmd = await startUtmd(lab, { stateDir, config, provisioning: labProvisioning('box-robust-05', { learningDays: 0 }) });
  t.teardown(() => utmd.stop());
  const status = async (): Promise<Status> => (await utmd.status()) as Status;
  await waitFor(async () => (await status()).storage.reserve.present, { what: 'the reserve made', timeoutMs: 15_000 });
  await waitFor(async () => (await status()).conditions.some((c) => c.id === 'sensor:dnsmasq' && c.ok), { what: 'dnsmasq running', timeoutMs: 30_000 });

  // someone else's file takes every byte left; utmd's next write meets the full disk
  fillUp(join(stateDir, 'filler'));
  t.deepEqual(await enforcement(), ['connected', 'timeout'], 'while full: forwarded and blocked');
  // the centre hears, while the filler is still there: the blocked contact and the full disk
  await collector.waitFor((l) => l.includes('blocklist_hit'), 30_000);
  await collector.waitFor((l) => l.includes('disk_low'), 30_000);
  const s = await waitFor(async () => { const x = await status(); return x.storage.reserve.released > 0 && x.conditions.some((c) => c.id === 'storage' && c.ok) ? x : undefined; },
    { what: 'writes work again on the released reserve', timeoutMs: 20_000 });
  t.false(s.storage.reserve.present);
  t.true(s.storage.writeFailures > 0, 'the refused write was counted');
  t.true(s.conditions.some((c) => c.id === 'disk' && !c.ok), 'the disk is still low (the reserve is owed)');
  const alerts = JSON.parse((await utmd.ctl(['alerts', '--json'])).stdout) as Alert[];
  t.true(alerts.some((a) => a.kind === 'blocklist_hit'), 'the blocked contact is stored on the box too');
  t.true(alerts.some((a) => a.kind === 'storage_failed' && a.params['onReserve'] === true), 'the storage alert says the box writes on its spare space');
  t.regex((await utmd.ctl(['status'])).stdout, /reserve 8 MiB NOT HELD \(released 1× by a full disk\)/);
  const home = await httpGet(host.ns, `http://${lab.box.lanAddress.v4}/`);
  t.notRegex(home.body ?? '', /state-safe/, 'the page does not say all is well');
  t.regex(home.body ?? '', /予備の空きに切り替えた/, "the office reads that alerts are still kept, not that nothing can be written");

  // room again: the reserve is made again and the disk condition clears, without a restart
  rmSync(join(stateDir, 'filler'));
  await waitFor(async () => { const x = await status(); return x.storage.reserve.present && x.conditions.some((c) => c.id === 'disk' && c.ok); },
    { what: 'the reserve back, the disk ok', timeoutMs: 20_000 });
  t.is(utmd.proc.exitStatus(), undefined, 'utmd never restarted');
});

test.serial('bridge: stopped cleanly, the state dir filled by someone else, started again → the store opens on disk on the reserve\'s space (not in memory) and the centre hears of the full disk', async (t) => {
  const { lab, stateDir, collector, config, enforcement } = await fullDiskLab(t, 'bridge');
  const provisioning = labProvisioning('box-robust-06', { learningDays: 0 });
  const first = await startUtmd(lab, { stateDir, config, provisioning });
  await waitFor(async () => ((await first.status()) as Status).storage.reserve.present, { what: 'the reserve made', timeoutMs: 15_000 });
  // a clean stop: SQLite removes its WAL and shared-memory files, and needs room to make them again
  await first.stop();
  fillUp(join(stateDir, 'filler'));
  const utmd = await startUtmd(lab, { stateDir, config, provisioning });
  t.teardown(() => utmd.stop());
  const status = async (): Promise<Status> => (await utmd.status()) as Status;
  const s = await waitFor(async () => { const x = await status(); return x.conditions.some((c) => c.id === 'storage' && c.ok) ? x : undefined; },
    { what: 'writes work on the disk\'s store (not a store in memory, which never says so)', timeoutMs: 20_000 });
  t.like(s.storage.reserve, { present: false, released: 1 });
  t.true(s.conditions.some((c) => c.id === 'disk' && !c.ok), 'the disk is still low (the reserve is owed)');
  t.deepEqual(await enforcement(), ['connected', 'timeout'], 'while full: forwarded and blocked');
  // the centre hears, the filler still there: the failed open, the full disk, the blocked contact
  await collector.waitFor((l) => l.includes('storage_failed'), 30_000);
  await collector.waitFor((l) => l.includes('disk_low'), 30_000);
  await collector.waitFor((l) => l.includes('blocklist_hit'), 30_000);
  const alerts = JSON.parse((await utmd.ctl(['alerts', '--json'])).stdout) as Alert[];
  t.true(alerts.some((a) => a.kind === 'blocklist_hit'));
  t.true(alerts.some((a) => a.kind === 'storage_failed' && a.params['onReserve'] === true), 'the storage alert says the box writes on its spare space');
  t.is(utmd.proc.exitStatus(), undefined);
});
