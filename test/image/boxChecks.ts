// What the office and the provider experience on a freshly booted, provisioned box (the
// factory slot): office → internet through it, a blocklisted address dropped, the page from
// the office side, the collector hearing from it, the read-only root and the data partition,
// first boot having taken the provisioning partition's bundle, utmd's exposure score, its
// hand-over of a blocked malloc heap to a fresh process, its sd_notify watchdog, and the root
// slot's bytes unchanged. The update test runs these on its
// factory boot so the slowest part of an emulated run (the first boot) happens once.
import type { ExecutionContext } from 'ava';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { UdpCollector } from '../lab/collector.js';
import type { Lab } from '../lab/lab.js';
import { execInResult } from '../lab/netns.js';
import { waitFor } from '../lab/poll.js';
import { tcpProbe } from '../lab/services.js';
import { boxAddress } from './ispDhcp.js';
import { IMAGE_DIR, type Vm } from './vm.js';
import { serviceExecStart } from '../bench/compiled.js';
import { topPads, tunablesWithTopPad } from '../helpers/heapProbe.js';

/** The exposure utmd.service must not exceed (image/README.md, "utmd.service hardening"). */
export const MAX_EXPOSURE = 5.0;

/** The deviceId of image/provisioning.example.json: the HOSTNAME the collector sees. */
const DEVICE_ID = 'otasuke-demo-0001';

/** Where the first boot's time went, as the guest's systemd saw it (logged, never asserted). */
export async function logBootTime(t: ExecutionContext, vm: Vm, label: string): Promise<void> {
  const r = await vm.shResult('systemd-analyze --no-pager; systemd-analyze blame --no-pager | head -n 15; '
    + 'systemd-analyze critical-chain --no-pager otasuke-healthy.service', 120_000);
  t.log(`${label}, systemd-analyze (exit ${r.code}):\n${r.output.trim()}`);
}

/**
 * The boot assertions on a box booted from a disk with the example bundle on its provisioning
 * partition. Needs: the lab's TCP listeners on web:80 and malware:443 (wan), the collector.
 * Leaves a block of the malware address.
 */
export async function checkFactoryBox(t: ExecutionContext, lab: Lab, vm: Vm, collector: UdpCollector, f: number): Promise<void> {
  const { web, malware } = lab.internet;
  const office = lab.hosts[0];
  if (office === undefined) throw new Error('the lab needs one office host');

  t.regex(await vm.sh('cat /proc/cmdline'), /rauc\.slot=A/);
  t.regex(await vm.sh('findmnt -no FSTYPE,OPTIONS /'), /^squashfs\s+ro/);
  t.regex(await vm.sh('findmnt -no SOURCE /var'), /vda5|otasuke-data/);
  t.regex(await vm.sh('findmnt -no SOURCE -T /var/lib/otasuke-utm'), /vda5|otasuke-data/, 'the state dir is on the data partition');
  // Nothing written lands on the root: it refuses writes (and its bytes are checked at the end).
  const write = await vm.shResult('touch /probe-write');
  t.not(write.code, 0);
  t.regex(write.output, /[Rr]ead-only file system/);
  // First boot took the bundle from the provisioning partition (found by its partition label).
  t.regex(await vm.sh('cat /etc/otasuke-utm/provisioning.json'), new RegExp(DEVICE_ID));
  t.regex(await vm.sh('journalctl -b -u otasuke-firstboot.service --no-pager -o cat'), /installed the provisioning bundle from removable media \(\/tmp\/[^)]*\/prov\/otasuke-utm\/provisioning\.json\)/);
  // Debian's own nftables/ulogd2 services stay masked.
  t.is((await vm.shResult('systemctl is-enabled nftables.service ulogd2.service')).output.trim().split(/\s+/).join(' '), 'masked masked');
  // The clock is kept by NTP (no server answers in the lab: it runs and waits).
  t.is((await vm.shResult('systemctl is-enabled systemd-timesyncd.service')).output.trim(), 'enabled');
  // Huge pages only where asked for (tmpfiles; Debian 13's kernel says "always"): idle daemons
  // do not grow by 2 MiB steps (README "Memory").
  t.regex(await vm.sh('cat /sys/kernel/mm/transparent_hugepage/enabled'), /\[madvise\]/);

  // The office PC reaches the internet through the box (bridge: the box is transparent).
  const through = await waitFor(async () => {
    const [r] = await tcpProbe(office.ns, [{ addr: web.v4, port: 80 }], { timeoutMs: 2000 * f });
    return r?.outcome === 'connected' ? r : undefined;
  }, { what: 'office → web through the box', timeoutMs: 120_000 * f, intervalMs: 1000 });
  t.is(through.outcome, 'connected');

  // A blocklisted address is dropped, while the allowed one still connects.
  await vm.utmctl(`block add ${malware.v4} --for 24h --note image-test`);
  const dropped = await waitFor(async () => {
    const [r] = await tcpProbe(office.ns, [{ addr: malware.v4, port: 443 }], { timeoutMs: 2000 * f });
    return r?.outcome === 'timeout' ? r : undefined;
  }, { what: 'the blocklisted address dropped', timeoutMs: 60_000 * f, intervalMs: 1000 });
  t.is(dropped.outcome, 'timeout');
  const [still] = await tcpProbe(office.ns, [{ addr: web.v4, port: 80 }], { timeoutMs: 2000 * f });
  t.is(still?.outcome, 'connected');

  // The page answers from the office side (the box's management address from the router's DHCP).
  const page = await waitFor(async () => {
    const r = await execInResult(office.ns, ['curl', '-sS', '-m', '5', '-o', '/dev/null', '-w', '%{http_code}', `http://${await boxAddress(lab) ?? '192.168.77.2'}/api/health`]);
    return r.stdout === '200' ? r.stdout : undefined;
  }, { what: 'the page from the office side', timeoutMs: 120_000 * f, intervalMs: 1000 });
  t.is(page, '200');

  // The provider's collector hears from the box (HOSTNAME = the bundle's deviceId).
  const line = await collector.waitFor((l) => l.includes(DEVICE_ID), 120_000 * f);
  t.log(`collector: ${line.slice(0, 300)}`);

  // Hardening: systemd's own exposure score for utmd, measured inside the guest.
  const sec = await vm.sh('systemd-analyze security --no-pager utmd.service | tail -n 1');
  const score = Number(/exposure level for utmd\.service:\s*([\d.]+)/.exec(sec)?.[1]);
  t.log(`systemd-analyze security utmd.service: ${sec.trim()}`);
  t.true(Number.isFinite(score) && score <= MAX_EXPOSURE, `exposure ${score} > ${MAX_EXPOSURE}`);

  // After all of that (first boot, a block, the page) the root slot holds exactly the bytes the build wrote (rootfs.sha256).
  const built = (await readFile(join(IMAGE_DIR, 'rootfs.sha256'), 'utf8')).split(/\s+/)[0];
  const size = (await stat(join(IMAGE_DIR, 'rootfs.squashfs'))).size;
  const onDisk = await vm.sh(`head -c ${size} /dev/disk/by-partlabel/root-a | sha256sum`, 300_000);
  t.is(onDisk.split(/\s+/)[0], built, 'the booted root slot is unchanged');

  // sd_notify: utmd is a Type=notify unit that became active, so READY=1 reached systemd.
  t.regex(await vm.sh('systemctl show -p Type -p ActiveState -p SubState utmd.service'), /Type=notify[\s\S]*ActiveState=active[\s\S]*SubState=running/);
  // A start whose malloc heap cannot grow hands the unit over to a fresh process
  // (firmware/src/sys/heapRoom.ts), and systemd follows it: a runtime drop-in starts utmd with
  // address space randomisation off and a glibc top pad that blocks its heap (found on this
  // host with the same node, flags, arguments and kind of environment: test/helpers/heapProbe.ts),
  // so every draw is blocked and both hand-overs happen. Under that drop-in, with a short
  // watchdog, the fresh process must keep systemd's watchdog fed; and SIGSTOP then freezes its
  // event loop, so no more pings: systemd restarts the hung daemon.
  const dropIn = '/run/systemd/system/utmd.service.d/test.conf';
  // `MainPID=N` (the bare `--value` answer did not come back as a number over the console, and
  // the console adds colour codes after it).
  const shown = async (p: string): Promise<string> => /=([\w.-]*)/.exec(await vm.sh(`systemctl show -p ${p} utmd.service`))?.[1] ?? '';
  const mainPid = async (): Promise<number> => Number(await shown('MainPID') || Number.NaN);
  const active = async (): Promise<boolean> => (await vm.shResult('systemctl is-active utmd.service', 10_000)).output.trim() === 'active';
  const { node, flags, script } = serviceExecStart();
  const exec = [node, ...flags, ...script].join(' ');
  const pads = await topPads(script[0] ?? '', script.slice(1), { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin', LANG: 'C.UTF-8' });
  t.log(`top pads that block utmd's heap with ASLR off: ${pads.blocking.join(', ')}`);
  const restartsBefore = await shown('NRestarts');
  let handedOver = '';
  for (const pad of pads.blocking) {
    const conf = `[Service]\nWatchdogSec=20s\nLockPersonality=no\nEnvironment=GLIBC_TUNABLES=${tunablesWithTopPad(pad)}\nExecStart=\nExecStart=/usr/bin/setarch -R ${exec}\n`;
    const since = (await vm.sh('date +%s')).trim();
    const t0 = Date.now();
    // vm.sh throws when `systemctl restart` fails: the hand-over must not fail the job
    await vm.sh(`mkdir -p ${dropIn.replace(/\/[^/]+$/, '')} && echo ${Buffer.from(conf).toString('base64')} | base64 -d > ${dropIn} && systemctl daemon-reload && systemctl restart utmd.service`, 600_000);
    handedOver = await vm.sh(`journalctl -u utmd.service --since @${since} --no-pager -o cat | grep -E 'handing over|cannot grow' || true`);
    t.log(`top pad ${pad}: systemctl restart returned after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (handedOver.includes('handing over')) break;
    t.log(`top pad ${pad}: utmd's heap had room on the box; trying the next`);
  }
  t.log(`utmd's journal:\n${handedOver.trim()}`);
  const draws = [...handedOver.matchAll(/handing over to a fresh process \(PID (\d+), draw (\d) of 2\)/g)];
  t.deepEqual(draws.map((d) => d[2]), ['1', '2'], 'two hand-overs in a row');
  t.regex(handedOver, /draw 2 of 2\)[\s\S]*cannot grow .*expect ~7–10 MB/, 'the third process keeps running and says so');
  await waitFor(active, { what: 'utmd active after the hand-overs', timeoutMs: 120_000 * f, intervalMs: 2000 });
  const fresh = await mainPid();
  t.is(fresh, Number(draws[1]?.[1]), 'systemd follows the process named last as the main PID');
  t.is(await shown('NRestarts'), restartsBefore, 'no restart counted (the health check counts them)');
  t.is(await shown('Result'), 'success');
  // Three watchdog periods: the fresh process's pings reach systemd, nothing restarts it.
  await new Promise((r) => setTimeout(r, 60_000));
  t.is(await mainPid(), fresh, 'the fresh process still runs after three watchdog periods');
  t.true((await vm.utmctl('status')).includes('bridge'), 'and answers utmctl');
  const frozen = fresh;
  await vm.sh(`kill -STOP ${frozen}`);
  // systemd aborts the silent daemon and starts a new one: another main pid, active again.
  await waitFor(async () => { const p = await mainPid(); return p > 1 && p !== frozen && await active(); },
    { what: 'systemd replacing the hung utmd', timeoutMs: 120_000 * f, intervalMs: 2000 });
  const dogs = await vm.sh('journalctl -b -u utmd.service --no-pager | grep -i watchdog | tail -n 5');
  t.log(`utmd watchdog lines:\n${dogs.trim()}`);
  t.regex(dogs, /[Ww]atchdog timeout/);
  const [after] = await tcpProbe(office.ns, [{ addr: malware.v4, port: 443 }], { timeoutMs: 2000 * f });
  t.is(after?.outcome, 'timeout', 'the block holds across the restart');
  // Back to the shipped unit: a short watchdog would keep cutting a busy emulated utmd short
  // (seen: "utmd is not running" at the next utmctl call). `systemctl restart` returns once
  // utmd sent READY=1; then utmd must answer utmctl before the caller goes on.
  await vm.sh(`rm -f ${dropIn} && systemctl daemon-reload && systemctl restart utmd.service`, 600_000);
  t.regex(await vm.sh('systemctl show -p WatchdogUSec utmd.service'), /WatchdogUSec=1min 30s|WatchdogUSec=90s/);
  t.true((await vm.utmctl('block list')).includes(malware.v4), 'the block holds across the restarts');
}
