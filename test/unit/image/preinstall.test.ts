// image/rauc/pre-install (the version floor) as RAUC 1.13 runs it: without RAUC_MF_VERSION, with
// the verified bundle mounted at RAUC_BUNDLE_MOUNT_POINT. On the first booted update the floor
// refused every bundle as version '' because it only read RAUC_MF_VERSION.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HANDLER = fileURLToPath(new URL('../../../image/rauc/pre-install', import.meta.url));

interface Result { code: number; out: string }

/** Runs the handler for a bundle of `version` on a box running 1.2.0 with an optional floor file. */
function preInstall(version: string, floor?: string): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'utm-floor-'));
  mkdirSync(join(dir, 'bundle'));
  writeFileSync(join(dir, 'bundle/manifest.raucm'), `[update]\ncompatible=otasuke-utm-amd64\nversion=${version}\n\n[bundle]\nformat=verity\n\n[image.rootfs]\nfilename=rootfs.squashfs\n`);
  writeFileSync(join(dir, 'release'), 'VERSION=1.2.0\n');
  if (floor !== undefined) writeFileSync(join(dir, 'floor'), `${floor}\n`);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, RAUC_BUNDLE_MOUNT_POINT: join(dir, 'bundle'), OTASUKE_RELEASE: join(dir, 'release'), OTASUKE_FLOOR_FILE: join(dir, 'floor') };
  return new Promise((resolve) => {
    execFile(HANDLER, [], { env }, (err, stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true });
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, out: stdout + stderr });
    });
  });
}

test('a newer bundle is accepted with the version read from its manifest', async (t) => {
  const r = await preInstall('1.3.0');
  t.is(r.code, 0, r.out);
  t.regex(r.out, /bundle 1\.3\.0 accepted/);
});

test('an older bundle than the running version is refused as a downgrade, naming both versions', async (t) => {
  const r = await preInstall('1.1.9');
  t.is(r.code, 1);
  t.regex(r.out, /1\.1\.9 is older than the version floor 1\.2\.0/);
});

test('the recorded floor wins over an older running version', async (t) => {
  const r = await preInstall('1.2.5', '1.3.0');
  t.is(r.code, 1);
  t.regex(r.out, /older than the version floor 1\.3\.0/);
});

test('a manifest without a version is refused, never treated as new', async (t) => {
  const r = await preInstall('');
  t.is(r.code, 1);
  t.regex(r.out, /is not a version/);
});
