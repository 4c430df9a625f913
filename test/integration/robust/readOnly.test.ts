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
//    the state dir's), utmctl finds utmd's control socket there;
//  - router and bridge: the state dir read-only from the very first start (nothing in it yet:
//    no store, no certificate, no session key, no password): the office is served the same,
//    and the alert says the flash failed (SQLite's "cannot open" explained by a write's EROFS);
//  - router and bridge, under systemd (INVOCATION_ID): the flash turns read-only while utmd runs: utmd
//    stops itself (exit 75) once it has run a minute and, started again as systemd does, runs
//    its store in memory: the office is served and the centre receives "storage failed"
//    instead of silence, and the alert the read-only store refused (a blocked connection to
//    the malware server) too: kept in the runtime dir, which systemd keeps over the restart;
//    in bridge mode the collector is down across the restart and back only afterwards.
import test, { type ExecutionContext } from 'ava';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLab, type Lab } from '../../lab/lab.js';
import { startUtmd, labUtmdConfig, labProvisioning, type Utmd } from '../../lab/utmd.js';
import { startTcpListener, tcpProbe } from '../../lab/services.js';
import { waitFor } from '../../lab/poll.js';
import { run, runResult } from '../../lab/run.js';
import { internetWeb, pageFrom, tryLease } from '../ports/helpers.js';
import { privateMac } from '../devices/clients.js';
import { feedLab } from '../blocklist/helpers.js';
import { cond, feedUpdateWhileBroken, killAndRestart, officeServed, plugRouterWhileBroken, servedFromStart, waitCond } from './brokenDisk.js';
import { startUdpCollector } from '../../lab/collector.js';

/** A state dir on its own ext4 (a loop device, errors=remount-ro) and a runtime dir on a small
 *  tmpfs, both under the lab's dir; `fail()` makes the ext4 read-only as a failing flash does.
 *  Unmounted and detached in teardown. */
async function dirs(t: ExecutionContext, lab: Lab): Promise<{ stateDir: string; runtimeDir: string; fail: () => Promise<void>; readOnlyNow: () => Promise<void> }> {
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
    readOnlyNow: async () => { await run(['mount', '-o', 'remount,ro', stateDir]); },
    fail: async () => {
      writeFileSync(`/sys/fs/ext4/${loop.replace('/dev/', '')}/trigger_fs_error`, '1');
      await waitFor(() => readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === stateDir && /(^|,)(ro|emergency_ro)(,|$)/.test(l.split(' ')[3] ?? '')),
        { what: 'the state dir read-only', timeoutMs: 5000 });
    },
  };
}

test.serial('router: the ISP router plugged in after the state dir went read-only → the new ruleset applies, the office is served, the box says storage fails', async (t) => {
  const { lab, utmd } = await plugRouterWhileBroken(t, 'box-ro-apply', dirs, (d) => d.fail());
  const ruleset = await cond(utmd, 'ruleset');
  t.true(ruleset?.ok, `the ruleset is applied: ${ruleset?.detail}`);
  t.regex(ruleset?.detail ?? '', /not saved/, 'and says that it is not saved');
  const storage = await waitCond(utmd, 'storage', false);
  t.regex(storage.detail ?? '', /EROFS|READONLY|IOERR/, `storage says why: ${storage.detail}`);
  t.is(await pageFrom(lab, lab.hosts[0]!.ns), 'connected', 'the page answers');
  t.is(utmd.proc.exitStatus(), undefined);
});

test.serial('bridge: a feed update after the state dir went read-only is enforced', async (t) => {
  const fl = await feedLab(t);
  const d = await dirs(t, fl.lab);
  const utmd = await feedUpdateWhileBroken(t, fl, d, () => d.fail(), ['203.0.113.71', '203.0.113.72']);
  t.false((await waitCond(utmd, 'storage', false)).ok);
  t.is(utmd.proc.exitStatus(), undefined);
});

for (const mode of ['router', 'bridge'] as const) test.serial(`${mode}: utmd killed and started again on a read-only state dir → the office is served, the list enforced, the sensors run, the page and utmctl answer`, async (t) => {
  const lab = await createLab({ mode, lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const d = await dirs(t, lab);
  let early: { mac: string } | null = null;
  let seqBefore = 0;
  let firstSeen = 0;
  type Listed = { kind: string; firstSeen: number; remote?: { ip?: string } };
  const alertsOf = async (u: Utmd): Promise<Listed[]> => JSON.parse((await u.ctl(['alerts', '--json'])).stdout) as Listed[];
  const hit = (list: Listed[]): Listed | undefined => list.find((a) => a.kind === 'blocklist_hit' && a.remote?.ip === lab.internet.malware.v4);
  const { second, pc } = await killAndRestart(t, lab, d, {
    mode, id: 'box-ro-restart',
    before: async (first) => {
      // an alert and numbered messages before the failure
      await tcpProbe(lab.hosts[0]!.ns, [{ addr: lab.internet.malware.v4, port: 443 }], { timeoutMs: 800 });
      firstSeen = (await waitFor(async () => hit(await alertsOf(first)), { what: 'a blocklist_hit alert before the failure', timeoutMs: 30_000 })).firstSeen;
      seqBefore = ((await first.status()) as { upstream: { nextSeq: number } }).upstream.nextSeq;
      // router: a PC leased before the failure; its lease must survive into the restarted server
      if (mode !== 'router') return;
      const host = await lab.addLanHost({ mac: privateMac(), addressing: 'none' });
      const lease = await tryLease(lab, host, 40_000);
      t.truthy(lease, 'a lease before the failure');
      await lease?.stop();
      early = host;
    },
    breakDisk: () => d.fail(),
  });
  if (pc) {
    // dnsmasq keeps its leases on the runtime dir now, seeded with the state dir's
    const leases = readFileSync(join(d.runtimeDir, 'dnsmasq', 'dnsmasq.leases'), 'utf8');
    t.true(leases.includes((early as { mac: string } | null)?.mac.toLowerCase() ?? '-'), `the earlier lease kept: ${leases}`);
    t.true(leases.includes(pc.mac.toLowerCase()), 'the new one there too');
  }
  // the store runs in memory from a copy of the disk's: the alert is still there, and the
  // upstream sequence numbers go on far past the disk's (none given twice after a repair)
  t.is(hit(await alertsOf(second))?.firstSeen, firstSeen, 'the alert from before the failure is kept (not a new one)');
  const seqAfter = ((await second.status()) as { upstream: { nextSeq: number } }).upstream.nextSeq;
  t.true(seqBefore > 1 && seqAfter >= seqBefore + 1_000_000, `sequence numbers moved on: ${seqBefore} → ${seqAfter}`);
  t.false((await waitCond(second, 'storage', false)).ok, 'and the box says its storage fails');
  // the office's alert says the flash failed (no "back by itself once there is room")
  const stored = await waitFor(async () => (JSON.parse((await second.ctl(['alerts', '--json'])).stdout) as Array<{ kind: string; params: Record<string, unknown> }>)
    .find((a) => a.kind === 'storage_failed'), { what: 'the storage alert', timeoutMs: 20_000 });
  t.deepEqual(stored.params, { readOnly: true });
  t.is(second.proc.exitStatus(), undefined);
});

for (const mode of ['router', 'bridge'] as const) test.serial(`${mode}: a state dir read-only from the very first start (empty: no store, no certificate, no last-good) → the office is served, the box says its storage fails`, async (t) => {
  const lab = await createLab({ mode, lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const d = await dirs(t, lab);
  await d.readOnlyNow();
  const utmd = await servedFromStart(t, lab, d, mode, `box-ro-first-${mode}`);
  t.false((await waitCond(utmd, 'storage', false)).ok, 'the box says its storage fails');
  const stored = await waitFor(async () => (JSON.parse((await utmd.ctl(['alerts', '--json'])).stdout) as Array<{ kind: string; params: Record<string, unknown> }>)
    .find((a) => a.kind === 'storage_failed'), { what: 'the storage alert', timeoutMs: 20_000 });
  t.deepEqual(stored.params, { readOnly: true }, 'and that it is a fault, not a full disk');
  t.is(utmd.proc.exitStatus(), undefined);
});

// bridge: the collector is also stopped while utmd restarts, and started again only after the
// restarted utmd stored what it had held: the alert waits in the store in memory, not lost
for (const mode of ['router', 'bridge'] as const) test.serial(`${mode}, under systemd: the state dir turns read-only while utmd runs → utmd stops itself (75) once it has run a minute; started again${mode === 'bridge' ? ' while the collector is down' : ''}, it serves the office and the centre receives "storage failed" and the alert the store refused`, async (t) => {
  const lab = await createLab({ mode, lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const d = await dirs(t, lab);
  let collector = await startUdpCollector(lab);
  t.teardown(() => collector.stop());
  const web = await internetWeb(lab);
  const { malware } = lab.internet;
  await startTcpListener(lab, lab.ns.wan, [{ addr: malware.v4, port: 443 }]);
  const config = { ...labUtmdConfig(lab, [malware.v4]), storage: { minFreeMb: 4, checkSeconds: 1 } };
  const provisioning = labProvisioning(`box-ro-systemd-${mode}`, { learningDays: 0 });
  // INVOCATION_ID: systemd sets it for every service it runs
  const env = { RUNTIME_DIRECTORY: d.runtimeDir, INVOCATION_ID: 'lab' };
  const first = await startUtmd(lab, { stateDir: d.stateDir, config, provisioning, env });
  t.teardown(() => first.stop());
  await waitCond(first, 'sensor:ulogd', true, 30_000);
  await d.fail();
  // a blocked connection: its alert is the first write the read-only store refuses
  const probedAt = Date.now();
  await tcpProbe(lab.hosts[0]!.ns, [{ addr: malware.v4, port: 443 }], { timeoutMs: 800 });
  await waitFor(() => first.proc.exitStatus(), { what: 'utmd stopping itself', timeoutMs: 120_000 }).catch((e: unknown) => {
    t.log(first.proc.stderr().slice(-3000));
    throw e;
  });
  t.deepEqual(first.proc.exitStatus(), { code: 75, signal: null }, 'to be started again (EX_TEMPFAIL)');
  const restartedAt = Date.now();
  // what a write interrupted by a kill -9 leaves there (the held list's rewrite, a batch for nft)
  const stale = [join(d.runtimeDir, 'held-findings.json.tmp-999999'), join(d.runtimeDir, 'nft-999999-1.nft')];
  for (const f of stale) writeFileSync(f, 'x'.repeat(4096));

  if (mode === 'bridge') await collector.stop();
  // an automatic restart: systemd keeps the runtime dir (RuntimeDirectoryPreserve=restart)
  const second = await startUtmd(lab, { stateDir: d.stateDir, config, provisioning, env });
  t.teardown(() => second.stop());
  if (mode === 'bridge') {
    // the held alert is in the (memory) store before the centre can take it
    await waitFor(async () => (JSON.parse((await second.ctl(['alerts', '--json'])).stdout) as Array<{ kind: string }>).some((a) => a.kind === 'blocklist_hit'),
      { what: 'the held alert stored by the restarted utmd', timeoutMs: 30_000 });
    // a send to the stopped collector fails (ICMP port unreachable → ECONNREFUSED), and the
    // alert waits in the queue, before the collector comes back
    const down = await waitFor(async () => {
      const u = (JSON.parse((await second.ctl(['upstream', 'status', '--json'])).stdout) as { status: { lastError: string | null; queueDepth: number } }).status;
      return u.lastError !== null && u.queueDepth > 0 ? u : undefined;
    }, { what: 'a failed send to the stopped collector, the alert still queued', timeoutMs: 30_000 });
    t.regex(down.lastError ?? '', /ECONNREFUSED|refused/i, `upstream status: ${JSON.stringify(down)}`);
    collector = await startUdpCollector(lab);
  }
  // before any new traffic to it: the centre hears of the connection the first process saw
  // and could not store (never sent by it: its store refused the alert)
  const hitLine = await collector.waitFor((l) => l.includes('blocklist_hit'), 30_000);
  t.true(hitLine.includes(malware.v4), `the refused alert reaches the centre after the restart: ${hitLine}`);
  await officeServed(t, lab, second, mode, web);
  type Listed = { kind: string; firstSeen: number; remote?: { ip?: string } };
  const hit = (JSON.parse((await second.ctl(['alerts', '--json'])).stdout) as Listed[]).find((a) => a.kind === 'blocklist_hit' && a.remote?.ip === malware.v4);
  t.true(hit !== undefined && hit.firstSeen >= probedAt - 5_000 && hit.firstSeen < restartedAt, `the page shows it from its time, before the restart: ${JSON.stringify(hit)}`);
  const stored = await waitFor(async () => (JSON.parse((await second.ctl(['alerts', '--json'])).stdout) as Array<{ kind: string; params: Record<string, unknown> }>)
    .find((a) => a.kind === 'storage_failed'), { what: 'the storage alert', timeoutMs: 20_000 });
  t.deepEqual(stored.params, { readOnly: true });
  const line = await collector.waitFor((l) => l.includes('storage_failed'), 30_000);
  t.regex(line, /box-ro-systemd/, 'the monitoring centre hears that the box\'s storage failed, not silence');
  t.is(second.proc.exitStatus(), undefined, 'and the store in memory does not stop it again');
  for (const f of stale) t.false(existsSync(f), `a kept runtime dir does not collect interrupted writes: ${f}`);
});
