// image/health/otasuke-healthcheck's verdict on a data partition that takes no writes (full, or
// a failing flash turned read-only): a healthy slot is still marked good, a slot on trial that
// is not healthy still reboots so the boot counter can fall back; the log lines that cannot be
// written go to the journal (stdout). The data partition is a read-only tmpfs in a mount
// namespace of the test's own (unshare -m: the host's mounts are untouched); rauc, nft, curl,
// systemctl and the boot backend are small scripts that record how they were called (this
// checks the script's decisions; the image test boots the real thing).
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolMissing } from '../../helpers/tools.js';

const SCRIPT = fileURLToPath(new URL('../../../image/health/otasuke-healthcheck', import.meta.url));

interface World { dir: string; update: string; calls: string }

function world(t: ExecutionContext, opts: { healthy: boolean; onTrial: boolean }): World {
  const dir = mkdtempSync(join(tmpdir(), 'utm-health-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, 'bin');
  const entries = join(dir, 'entries');
  mkdirSync(bin);
  mkdirSync(entries);
  const calls = join(dir, 'calls');
  writeFileSync(calls, '');
  const stub = (name: string, body: string): void => {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> "${calls}"\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  stub('nft', opts.healthy ? 'exit 0' : 'exit 1');
  stub('curl', 'exit 0');
  stub('rauc', 'exit 0');
  // never failed, never restarted: only the deadline (0 s here) decides
  stub('systemctl', 'case "$1" in is-failed) echo active; exit 1;; show) echo 0;; esac; exit 0');
  stub('bootloader-custom', 'echo A');
  writeFileSync(join(dir, 'release'), 'NAME=otasuke\nVERSION=2026.12.4\n');
  if (opts.onTrial) writeFileSync(join(entries, 'otasuke-a+2-1.conf'), 'title trial\n');
  return { dir, update: join(dir, 'data', 'update'), calls };
}

/** Runs the healthcheck; `readOnly`: the data partition (`dir/data`) is a read-only tmpfs,
 *  with (`withUpdateDir`) or without the update dir on it. */
async function check(w: World, readOnly: boolean, withUpdateDir = true): Promise<{ code: number; out: string }> {
  const data = join(w.dir, 'data');
  mkdirSync(withUpdateDir ? w.update : data, { recursive: true });
  const env = {
    ...process.env, PATH: `${join(w.dir, 'bin')}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, OTASUKE_HEALTH_DEADLINE: '0',
    OTASUKE_UPDATE_DIR: w.update, OTASUKE_RELEASE_FILE: join(w.dir, 'release'), OTASUKE_BOOT_BACKEND: join(w.dir, 'bin', 'bootloader-custom'), OTASUKE_ENTRIES_DIR: join(w.dir, 'entries'),
  };
  // a read-only file system over the data dir, holding the update dir or not, in a mount namespace of its own
  const mountRo = `mount -t tmpfs -o size=1m tmpfs "$1" && ${withUpdateDir ? 'mkdir "$1/update" && ' : ''}mount -o remount,ro "$1" && exec "$2"`;
  const argv = readOnly ? ['unshare', '-m', 'bash', '-c', mountRo, '_', data, SCRIPT] : [SCRIPT];
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

const calls = (w: World): string[] => readFileSync(w.calls, 'utf8').trim().split('\n');

function needsRoot(t: ExecutionContext): boolean {
  if (process.getuid?.() === 0) return true;
  toolMissing(t, 'root (a mount namespace with a read-only tmpfs)');
  return false;
}

test('writable data partition: healthy → marked good, logged, the version floor raised', async (t) => {
  const w = world(t, { healthy: true, onTrial: true });
  const r = await check(w, false);
  t.is(r.code, 0, r.out);
  t.true(calls(w).includes('rauc status mark-good'));
  t.regex(readFileSync(join(w.update, 'health.log'), 'utf8'), /slot=A version=2026\.12\.4 healthy/);
  t.is(readFileSync(join(w.update, 'version-floor'), 'utf8'), '2026.12.4\n');
});

test('read-only data partition: a healthy slot is still marked good (exit 0), the lines that cannot be written go to the journal', async (t) => {
  if (!needsRoot(t)) return;
  const w = world(t, { healthy: true, onTrial: true });
  const r = await check(w, true);
  t.is(r.code, 0, r.out);
  t.true(calls(w).includes('rauc status mark-good'));
  t.regex(r.out, /healthy \(ruleset applied, page answers\); slot marked good/);
  t.regex(r.out, /cannot append to .*health\.log \(data partition full or read-only\): journal only/);
  t.regex(r.out, /cannot raise the version floor/);
  t.false(calls(w).some((c) => c.includes('reboot')));
});

for (const withUpdateDir of [true, false]) {
  test(`read-only data partition${withUpdateDir ? '' : ' without the update dir yet'}: a slot on trial that is not healthy still reboots to fall back`, async (t) => {
    if (!needsRoot(t)) return;
    const w = world(t, { healthy: false, onTrial: true });
    const r = await check(w, true, withUpdateDir);
    t.is(r.code, 1, r.out);
    t.true(calls(w).includes('systemctl --no-block reboot'), calls(w).join('\n'));
    t.false(calls(w).includes('rauc status mark-good'));
    t.regex(r.out, /UNHEALTHY on trial/);
    t.false(existsSync(join(w.update, 'health.log')));
  });
}

test('a committed slot that is not healthy fails loudly without a reboot loop, on a read-only partition too', async (t) => {
  if (!needsRoot(t)) return;
  const w = world(t, { healthy: false, onTrial: false });
  const r = await check(w, true);
  t.is(r.code, 1, r.out);
  t.false(calls(w).some((c) => c.includes('reboot')));
  t.regex(r.out, /slot already committed, no reboot loop/);
});
