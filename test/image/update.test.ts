// The shipped image booted as the box (KVM when /dev/kvm runs UEFI firmware, else TCG), then
// A/B updates on it. The factory boot, with a valid bundle on the provisioning partition, gets
// every boot assertion (test/image/boxChecks.ts: office → internet, blocklisted address
// dropped, page from the office side, the collector hears the box, exposure score, watchdog,
// root slot unchanged): under TCG a boot costs minutes, so the slowest one happens once.
// Then: a bundle signed by another CA is refused, a downgrade is refused, a signed bundle is
// installed into the other slot and the box reboots into it with its state (hand-made blocks)
// intact, then a deliberately broken bundle (utmd never becomes healthy) is installed and the
// box falls back to the good slot by itself.
// Bundles are made on the host from the built slot image (unsquashfs → edit → mksquashfs),
// signed with the throwaway test CA (OTASUKE_TEST_CA, made by `make image-test`), and
// downloaded by the guest from an HTTP server on the internet side of the lab.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLab, REPO_ROOT } from '../lab/lab.js';
import { waitFor } from '../lab/poll.js';
import { run } from '../lab/run.js';
import { startUdpCollector } from '../lab/collector.js';
import { startHttpServer, startTcpListener } from '../lab/services.js';
import { checkFactoryBox, logBootTime } from './boxChecks.js';
import { startIspDhcp } from './ispDhcp.js';
import { IMAGE_DIR, prepareDisk, slowFactor, startVm, validProvisioning, wireTaps, type Vm } from './vm.js';

const CA = process.env.OTASUKE_TEST_CA ?? '/var/cache/otasuke-image/test-ca';
const BUNDLE_SH = join(REPO_ROOT, 'image/rauc/bundle.sh');

/** Slot images from the built one (one unpack): `good` with VERSION changed; `broken` also with a utmd that exits at once. */
async function slotImages(work: string, good: string, broken: string): Promise<{ good: string; broken: string }> {
  const root = join(work, 'root');
  await run(['unsquashfs', '-q', '-n', '-d', root, join(IMAGE_DIR, 'rootfs.squashfs')], { timeoutMs: 900_000 });
  const rel = join(root, 'etc/otasuke-release');
  const release = await readFile(rel, 'utf8');
  const squash = async (name: string): Promise<string> => {
    const out = join(work, `${name}.squashfs`);
    await run(['mksquashfs', root, out, '-comp', 'zstd', '-Xcompression-level', '3', '-noappend', '-quiet', '-no-progress'], { timeoutMs: 900_000 });
    return out;
  };
  await writeFile(rel, release.replace(/^VERSION=.*$/m, `VERSION=${good}`));
  const goodImage = await squash('good');
  await writeFile(rel, release.replace(/^VERSION=.*$/m, `VERSION=${broken}`));
  await writeFile(join(root, 'opt/otasuke-utm/firmware/bin/utmd'), '#!/usr/bin/env node\nprocess.stderr.write("utmd: deliberately broken build\\n");\nprocess.exit(1);\n');
  const brokenImage = await squash('broken');
  await run(['rm', '-rf', '--one-file-system', root]);
  return { good: goodImage, broken: brokenImage };
}

/** A few-KiB slot image for the bundles that must be refused before anything is written (no 220 MB download for them). */
async function tinySlotImage(work: string): Promise<string> {
  const root = join(work, 'tiny');
  await mkdir(root, { recursive: true });
  await writeFile(join(root, 'refused-bundle'), 'this slot image must never be written\n');
  // RAUC refuses to bundle a payload of 4 KiB or less: 64 KiB that do not compress.
  await writeFile(join(root, 'filler'), randomBytes(64 * 1024));
  const out = join(work, 'tiny.squashfs');
  await run(['mksquashfs', root, out, '-noappend', '-quiet', '-no-progress']);
  return out;
}

async function bundle(rootfs: string, version: string, ca: string, out: string): Promise<void> {
  await run([BUNDLE_SH, '--rootfs', rootfs, '--version', version, '--cert', join(ca, 'signing.cert.pem'), '--key', join(ca, 'signing.key.pem'), '--out', out], { timeoutMs: 600_000 });
}

/** Downloads a bundle into the guest's data partition and runs `rauc install`; returns code and output. */
async function install(vm: Vm, url: string): Promise<{ code: number; output: string }> {
  await vm.sh(`rm -f /var/tmp/u.raucb && curl -fsS -m 300 -o /var/tmp/u.raucb ${url}`, 320_000);
  const r = await vm.shResult('rauc install /var/tmp/u.raucb', 600_000);
  await vm.sh('rm -f /var/tmp/u.raucb');
  return r;
}

test('the image boots as the box (internet through it, blocklist dropped, page, collector, hardened unit); signed A/B updates: other key refused, downgrade refused, update boots the other slot, a broken one falls back', async (t) => {
  const f = await slowFactor();
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  await wireTaps(lab);
  await startIspDhcp(lab);
  const collector = await startUdpCollector(lab);
  await startTcpListener(lab, lab.ns.wan, [{ addr: lab.internet.web.v4, port: 80 }, { addr: lab.internet.malware.v4, port: 443 }]);
  const work = join(lab.dir, 'bundles');
  await mkdir(join(work, 'www'), { recursive: true });
  const web = await startHttpServer(lab, lab.ns.wan, lab.internet.web.v4, 8080, join(work, 'www'));

  const dir = join(lab.dir, 'vm');
  const vm = await startVm(lab, dir, await prepareDisk(dir, { provisioning: await validProvisioning() }));
  t.teardown(() => t.log(`console: ${vm.consoleLog}`));

  // Bundles while the box boots.
  const other = join(work, 'other-ca');
  await run([join(REPO_ROOT, 'image/rauc/make-test-ca.sh'), other, 'Somebody else']);
  const bundlesStart = Date.now();
  // The refused ones carry a tiny slot image: RAUC checks the signature and runs the version
  // floor (pre-install) before it writes a byte, so their payload is never read.
  const tiny = await tinySlotImage(work);
  await bundle(tiny, '9.0.1', other, join(work, 'www/other-key.raucb'));
  await bundle(tiny, '0.0.1', CA, join(work, 'www/downgrade.raucb'));
  const { good, broken } = await slotImages(work, '9.0.0', '9.1.0');
  await bundle(good, '9.0.0', CA, join(work, 'www/good.raucb'));
  await bundle(broken, '9.1.0', CA, join(work, 'www/broken.raucb'));
  await run(['rm', '-f', good, broken, tiny]);
  t.log(`four bundles made in ${Math.round((Date.now() - bundlesStart) / 1000)} s (while the box boots)`);

  t.log(`accelerator: ${vm.accel.accel} (${vm.accel.why})`);
  t.log(`factory slot A: shell after ${await vm.waitShell()} s`);
  t.log(`factory slot A: healthy after ${await vm.waitHealthy()} s`);
  await logBootTime(t, vm, 'factory slot A, first boot');
  const checksStart = Date.now();
  await checkFactoryBox(t, lab, vm, collector, f);
  t.log(`factory slot A: boot assertions done in ${Math.round((Date.now() - checksStart) / 1000)} s`);
  const factory = (await vm.sh("sed -n 's/^VERSION=//p' /etc/otasuke-release")).trim();
  // State the update must keep: a hand-made block (SQLite on the data partition).
  await vm.utmctl('block add 198.51.100.77 --for 24h --note survives-update');

  const otherKey = await install(vm, `${web.url}other-key.raucb`);
  t.not(otherKey.code, 0, 'a bundle signed by another CA must be refused');
  t.regex(otherKey.output, /signature|verif|certificate|CA/i);
  const down = await install(vm, `${web.url}downgrade.raucb`);
  t.not(down.code, 0, 'a downgrade must be refused');
  // RAUC reports only "pre-install handler error"; the floor's reason is in RAUC's journal.
  t.regex(down.output + await vm.sh('journalctl -b -u rauc.service --no-pager -o cat | tail -n 40'), /older than the version floor/);

  // Neither refusal touched the other slot or the boot order.
  t.notRegex(await vm.sh('utmctl update status'), /B \[next boot\]|version (9\.0\.1|0\.0\.1)/);

  const installStart = Date.now();
  const ok = await install(vm, `${web.url}good.raucb`);
  t.is(ok.code, 0, ok.output);
  t.log(`signed 9.0.0 downloaded and installed into slot B in ${Math.round((Date.now() - installStart) / 1000)} s`);
  t.regex(await vm.sh('utmctl update status'), /B \[next boot\]: version 9\.0\.0, on trial/);
  await vm.reboot();
  await waitFor(async () => /rauc\.slot=B/.test((await vm.shResult('cat /proc/cmdline', 3000)).output), { what: 'slot B booted', timeoutMs: 240_000 * f, intervalMs: 2000 });
  t.log(`update 9.0.0 in slot B: healthy ${await vm.waitHealthy()} s after the reboot`);
  await logBootTime(t, vm, 'slot B, first boot after the update');
  t.regex(await vm.sh('cat /etc/otasuke-release'), /^VERSION=9\.0\.0$/m);
  const afterGood = await vm.sh('utmctl update status');
  t.log(afterGood);
  t.regex(afterGood, /B \[booted\] \[next boot\]: version 9\.0\.0, committed/);
  const blocksAfterGood = await vm.utmctl('block list');
  t.regex(blocksAfterGood, /198\.51\.100\.77/, 'state survives the update');
  t.true(blocksAfterGood.includes(lab.internet.malware.v4), 'the factory boot\'s block survives too');
  t.regex(await vm.sh('cat /var/lib/otasuke-utm/update/version-floor'), /^9\.0\.0$/m);

  // The broken update goes into slot A; the box must come back to B by itself.
  const badStart = Date.now();
  const bad = await install(vm, `${web.url}broken.raucb`);
  t.is(bad.code, 0, bad.output);
  t.log(`broken 9.1.0 downloaded and installed into slot A in ${Math.round((Date.now() - badStart) / 1000)} s`);
  await vm.reboot();
  const fallbackStart = Date.now();
  // It boots A (utmd dies), the health check reboots, systemd-boot counts down, then B again.
  await waitFor(async () => {
    const r = await vm.shResult("cat /proc/cmdline; ls /efi/loader/entries", 3000);
    return r.code === 0 && /rauc\.slot=B/.test(r.output) && /otasuke-a\+0-\d+\.conf/.test(r.output) ? r.output : undefined;
  }, { what: 'fallback to slot B after slot A was abandoned', timeoutMs: 900_000 * f, intervalMs: 3000 });
  await vm.waitHealthy();
  t.log(`broken 9.1.0 in slot A: abandoned, slot B healthy again ${Math.round((Date.now() - fallbackStart) / 1000)} s after the reboot`);
  const fallback = await vm.sh('utmctl update status');
  t.log(fallback);
  t.regex(fallback, /A: version 9\.1\.0, ABANDONED/);
  t.regex(fallback, /B \[booted\] \[next boot\]: version 9\.0\.0, committed/);
  const healthLog = await vm.sh('cat /var/lib/otasuke-utm/update/health.log');
  t.log(`health log:\n${healthLog.trim()}\nQEMU power cycles (guest reboots): ${vm.powerCycles()}`);
  t.regex(healthLog, /slot=A version=9\.1\.0 UNHEALTHY on trial/);
  t.regex(await vm.utmctl('block list'), /198\.51\.100\.77/);
  t.not(factory, '9.0.0');
});
