// The state dir's file system turns read-only under a running box, as an appliance's flash does
// when it fails: ext4 mounted errors=remount-ro on a loop device, then an error raised through
// its test hook (/sys/fs/ext4/DEV/trigger_fs_error): the kernel aborts the journal and every
// write after it fails with EROFS, open files or not, until a reboot. Nothing may cut the
// office off:
//  - router: the ISP router is plugged in only after the file system went read-only: the new
//    port roles' ruleset applies (not saved), the office gets a lease and the internet;
//  - bridge: a feed update is enforced;
//  - router and bridge: utmd killed (kill -9) and started again on the read-only file system:
//    the office is served, the list enforced, the sensors run, the page and utmctl answer, and
//    the box says its storage fails. dnsmasq keeps its leases on the runtime dir (seeded with
//    the state dir's), utmctl finds utmd's control socket there.
import test, { type ExecutionContext } from 'ava';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLab, type Lab } from '../../lab/lab.js';
import { startUtmd, labUtmdConfig, labProvisioning, type Utmd } from '../../lab/utmd.js';
import { startTcpListener, tcpProbe } from '../../lab/services.js';
import { waitFor } from '../../lab/poll.js';
import { run, runResult } from '../../lab/run.js';
import { internetWeb, pageFrom, tryLease, waitPorts } from '../ports/helpers.js';
import { privateMac } from '../devices/clients.js';
import { feedLab, refresh } from '../blocklist/helpers.js';

type Cond = { id: string; ok: boolean; detail?: string };

/** A state dir on its own ext4 (a loop device, errors=remount-ro) and a runtime dir on a small
 *  tmpfs, both under the lab's dir; `fail()` makes the ext4 read-only as a failing flash does.
 *  Unmounted and detached in teardown. */
async function dirs(t: ExecutionContext, lab: Lab): Promise<{ stateDir: string; runtimeDir: string; fail: () => Promise<void> }> {
  const stateDir = join(lab.dir, 'state');
  const runtimeDir = join(lab.dir, 'run');
  const image = join(lab.dir, 'state.img');
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(runtimeDir, { recursive: true });
  writeFileSync(image, '');
  await run(['truncate', '-s', '64M', image]);
  await run(['mkfs.ext4', '-q', '-F', image]);
  const loop = (await run(['losetup', '-f', '--show', image])).trim();
  t.teardown(async () => {
    await runResult(['umount', '-l', stateDir]);
    await runResult(['losetup', '-d', loop]);
    rmSync(image, { force: true });
  });
  await run(['mount', '-t', 'ext4', '-o', 'errors=remount-ro', loop, stateDir]);
  chmodSync(stateDir, 0o700);
  await run(['mount', '-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'utm-test-ro', runtimeDir]);
  t.teardown(async () => { await runResult(['umount', '-l', runtimeDir]); });
  return {
    stateDir, runtimeDir,
    fail: async () => {
      writeFileSync(`/sys/fs/ext4/${loop.replace('/dev/', '')}/trigger_fs_error`, '1');
      await waitFor(() => readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === stateDir && /(^|,)(ro|emergency_ro)(,|$)/.test(l.split(' ')[3] ?? '')),
        { what: 'the state dir read-only', timeoutMs: 5000 });
    },
  };
}

const cond = async (utmd: Utmd, id: string): Promise<Cond | undefined> =>
  ((await utmd.status()) as { conditions: Cond[] }).conditions.find((c) => c.id === id);

async function waitCond(utmd: Utmd, id: string, ok: boolean, timeoutMs = 20_000): Promise<Cond> {
  return waitFor(async () => { const c = await cond(utmd, id); return c?.ok === ok ? c : undefined; }, { what: `condition ${id} ${ok ? 'ok' : 'down'}`, timeoutMs });
}

test.serial('router: the ISP router plugged in after the state dir went read-only → the new ruleset applies, the office is served, the box says storage fails', async (t) => {
  const lab = await createLab({ mode: 'router', routerUnplugged: true, lanAddressing: 'none' });
  t.teardown(() => lab.destroy());
  const d = await dirs(t, lab);
  const web = await internetWeb(lab);
  const config = { ...labUtmdConfig(lab), interfaces: {}, lan: {}, storage: { minFreeMb: 4, checkSeconds: 1 } };
  const utmd = await startUtmd(lab, { stateDir: d.stateDir, config, provisioning: labProvisioning('box-ro-apply'), env: { RUNTIME_DIRECTORY: d.runtimeDir } });
  t.teardown(() => utmd.stop());
  await waitPorts(utmd, (p) => !p.proven && p.problems.some((x) => x.code === 'no-evidence'), 'ports unproven');

  await d.fail();
  await lab.plugRouter();
  await waitPorts(utmd, (p) => p.proven && p.wan === lab.box.wanIf, 'the ports worked out once the router is there');
  const office = await tryLease(lab, lab.hosts[0]!, 40_000);
  t.truthy(office, `the office PC got a lease on a read-only state dir (DHCP server: ${JSON.stringify(await cond(utmd, 'sensor:dnsmasq'))})`);
  await waitFor(async () => (await tcpProbe(lab.hosts[0]!.ns, [web], { timeoutMs: 1500 }))[0]?.outcome === 'connected',
    { what: 'the office reaches the internet', timeoutMs: 20_000 });
  const ruleset = await cond(utmd, 'ruleset');
  t.true(ruleset?.ok, `the ruleset is applied: ${ruleset?.detail}`);
  t.regex(ruleset?.detail ?? '', /not saved/, 'and says that it is not saved');
  const storage = await waitCond(utmd, 'storage', false);
  t.regex(storage.detail ?? '', /EROFS|READONLY|IOERR/, `storage says why: ${storage.detail}`);
  t.is(await pageFrom(lab, lab.hosts[0]!.ns), 'connected', 'the page answers');
  t.is(utmd.proc.exitStatus(), undefined);
  await office?.stop();
});

test.serial('bridge: a feed update after the state dir went read-only is enforced', async (t) => {
  const fl = await feedLab(t);
  const d = await dirs(t, fl.lab);
  const [X, Y] = ['203.0.113.71', '203.0.113.72'];
  fl.writeFeed([X]);
  await fl.serve();
  const config = { ...fl.config, storage: { minFreeMb: 4, checkSeconds: 1 } };
  const utmd = await startUtmd(fl.lab, { stateDir: d.stateDir, config, env: { RUNTIME_DIRECTORY: d.runtimeDir } });
  t.teardown(() => utmd.stop());
  await fl.until(X, 'timeout', 'the first list enforced');
  t.is(await fl.probe(Y), 'connected');

  await d.fail();
  fl.writeFeed([X, Y]);
  const r = await refresh(utmd);
  t.is(r.find((x) => x.feedId === 'lab-c2')?.result, 'loaded', JSON.stringify(r));
  await fl.until(Y, 'timeout', 'the new address blocked on a read-only state dir');
  t.is(await fl.probe(X), 'timeout');
  t.deepEqual(readdirSync(d.runtimeDir).filter((f) => f.endsWith('.json')), [], 'no document left on the tmpfs');
  t.regex((await waitCond(utmd, 'feed:lab-c2', false)).detail ?? '', /2 entries enforced, not saved/);
  t.false((await waitCond(utmd, 'storage', false)).ok);
  t.is(utmd.proc.exitStatus(), undefined);
});

for (const mode of ['router', 'bridge'] as const) test.serial(`${mode}: utmd killed and started again on a read-only state dir → the office is served, the list enforced, the sensors run, the page and utmctl answer`, async (t) => {
  const lab = await createLab({ mode, lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const d = await dirs(t, lab);
  const web = await internetWeb(lab);
  const { malware } = lab.internet;
  await startTcpListener(lab, lab.ns.wan, [{ addr: malware.v4, port: 443 }]);
  const config = { ...labUtmdConfig(lab, [malware.v4]), storage: { minFreeMb: 4, checkSeconds: 1 } };
  const provisioning = labProvisioning('box-ro-restart', { learningDays: 0 });
  const env = { RUNTIME_DIRECTORY: d.runtimeDir };
  const first = await startUtmd(lab, { stateDir: d.stateDir, config, provisioning, env });
  await waitCond(first, mode === 'router' ? 'sensor:dnsmasq' : 'sensor:ulogd', true, 30_000);
  // router: a PC leased before the failure; its lease must survive into the restarted server
  const early = mode === 'router' ? await lab.addLanHost({ mac: privateMac(), addressing: 'none' }) : null;
  const earlyLease = early ? await tryLease(lab, early, 40_000) : null;
  if (early) t.truthy(earlyLease, 'a lease before the failure');
  await earlyLease?.stop();
  await d.fail();
  process.kill(first.proc.pid, 'SIGKILL');
  await waitFor(() => first.proc.exitStatus() !== undefined, { what: 'utmd gone' });
  // systemd empties the unit's RuntimeDirectory when it stops and makes it again (0700)
  for (const f of readdirSync(d.runtimeDir)) rmSync(join(d.runtimeDir, f), { recursive: true, force: true });
  chownSync(d.runtimeDir, 0, 0);
  chmodSync(d.runtimeDir, 0o700);

  const second = await startUtmd(lab, { stateDir: d.stateDir, config, provisioning, env });
  t.teardown(() => second.stop());
  const host = lab.hosts[0]!;
  await waitFor(async () => {
    const [fwd, blk] = await tcpProbe(host.ns, [web, { addr: malware.v4, port: 443 }], { timeoutMs: 1500 });
    return fwd?.outcome === 'connected' && blk?.outcome === 'timeout';
  }, { what: 'forwarded and blocked after the restart on a read-only state dir', timeoutMs: 30_000 });
  await waitCond(second, 'sensor:ulogd', true, 30_000);
  if (mode === 'router') {
    await waitCond(second, 'sensor:dnsmasq', true, 30_000);
    const pc = await lab.addLanHost({ mac: privateMac(), addressing: 'none' });
    const lease = await tryLease(lab, pc, 40_000);
    t.truthy(lease, 'a new office PC gets a lease from the restarted box');
    // dnsmasq keeps its leases on the runtime dir now, seeded with the state dir's
    const leases = readFileSync(join(d.runtimeDir, 'dnsmasq', 'dnsmasq.leases'), 'utf8');
    t.true(leases.includes(early?.mac.toLowerCase() ?? '-'), `the earlier lease kept: ${leases}`);
    t.true(leases.includes(pc.mac.toLowerCase()), 'the new one there too');
    t.regex(lease?.address ?? '', /^192\.168\.77\.\d+$/);
    await lease?.stop();
  }
  t.is(await pageFrom(lab, host.ns), 'connected', 'the page answers');
  t.is((await second.ctl(['status'])).code, 0, 'utmctl status answers');
  t.false((await waitCond(second, 'storage', false)).ok, 'and the box says its storage fails');
  t.is(second.proc.exitStatus(), undefined);
});
