// image/rauc/bootloader-custom against a temporary ESP: which slot systemd-boot would boot
// (primary), what an update does to the entries, what systemd-boot's own counting does to a
// slot that never becomes healthy, and that a committed slot is never given up.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const BACKEND = fileURLToPath(new URL('../../../image/rauc/bootloader-custom', import.meta.url));
const execFileP = promisify(execFile);

function esp(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'utm-esp-'));
  mkdirSync(join(dir, 'loader/entries'), { recursive: true });
  for (const s of ['a', 'b']) {
    mkdirSync(join(dir, 'otasuke', s), { recursive: true });
    writeFileSync(join(dir, 'otasuke', s, 'vmlinuz'), 'k');
    writeFileSync(join(dir, 'otasuke', s, 'initrd.img'), 'i');
  }
  // The factory entry mkdisk.sh writes: slot A, version 1, committed (no counter).
  writeFileSync(join(dir, 'loader/entries/otasuke-a.conf'), 'title x\nsort-key otasuke\nversion    1\nlinux /otasuke/a/vmlinuz\n');
  writeFileSync(join(dir, 'cmdline'), 'root=x ro rauc.slot=A quiet\n');
  return { dir, env: { ...process.env, OTASUKE_ESP: dir, OTASUKE_TRIES: '2', OTASUKE_CMDLINE: join(dir, 'cmdline'), OTASUKE_PARTUUID_A: 'aaaa', OTASUKE_PARTUUID_B: 'bbbb' } };
}
async function bl(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  return (await execFileP(BACKEND, args, { env })).stdout.trim();
}
const entries = (dir: string): string[] => readdirSync(join(dir, 'loader/entries')).sort();
/** What systemd-boot does when it boots an entry on trial: one try less, one more done. */
function sdBootCountDown(dir: string, slot: 'a' | 'b'): void {
  const f = entries(dir).find((e) => e.startsWith(`otasuke-${slot}+`));
  if (f === undefined) return;
  const m = /\+(\d+)(?:-(\d+))?\.conf$/.exec(f)!;
  const left = Number(m[1]);
  const done = Number(m[2] ?? 0);
  if (left > 0) renameSync(join(dir, 'loader/entries', f), join(dir, 'loader/entries', `otasuke-${slot}+${left - 1}-${done + 1}.conf`));
}

test('factory: A is primary and good, B has no entry (bad); current comes from rauc.slot=', async (t) => {
  const { dir, env } = esp();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.is(await bl(env, 'get-primary'), 'A');
  t.is(await bl(env, 'get-state', 'A'), 'good');
  t.is(await bl(env, 'get-state', 'B'), 'bad');
  t.is(await bl(env, 'get-current'), 'A');
  await t.throwsAsync(bl(env, 'get-state', 'C'));
});

test('an update to B: B on trial and primary; committed by mark-good; entry boots the right root', async (t) => {
  const { dir, env } = esp();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await bl(env, 'set-state', 'B', 'bad');
  await bl(env, 'set-primary', 'B');
  t.deepEqual(entries(dir), ['otasuke-a.conf', 'otasuke-b+2.conf']);
  t.is(await bl(env, 'get-primary'), 'B');
  const text = readFileSync(join(dir, 'loader/entries/otasuke-b+2.conf'), 'utf8');
  t.regex(text, /^version\s+2$/m);
  t.regex(text, /^options\s+root=PARTUUID=bbbb ro rootfstype=squashfs rauc\.slot=B /m);
  sdBootCountDown(dir, 'b');
  t.is(await bl(env, 'get-primary'), 'B', 'one try used, one left');
  await bl(env, 'set-state', 'B', 'good');
  t.deepEqual(entries(dir), ['otasuke-a.conf', 'otasuke-b.conf']);
  t.is(await bl(env, 'get-primary'), 'B');
});

test('a slot that never becomes healthy is abandoned after its tries; the committed slot boots again', async (t) => {
  const { dir, env } = esp();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await bl(env, 'set-primary', 'B');
  sdBootCountDown(dir, 'b');
  sdBootCountDown(dir, 'b');
  t.deepEqual(entries(dir), ['otasuke-a.conf', 'otasuke-b+0-2.conf']);
  t.is(await bl(env, 'get-primary'), 'A');
  t.is(await bl(env, 'get-state', 'B'), 'bad');
  t.is(await bl(env, 'get-state', 'A'), 'good');
});

test('extra kernel arguments from the ESP: plain words only', async (t) => {
  const { dir, env } = esp();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'loader/otasuke-cmdline-extra'), 'systemd.debug_shell=hvc0 $(reboot) init=/bin/sh;x\n');
  await bl(env, 'set-primary', 'B');
  const text = readFileSync(join(dir, 'loader/entries/otasuke-b+2.conf'), 'utf8');
  t.regex(text, /panic=10 systemd\.debug_shell=hvc0$/m);
  t.notRegex(text, /reboot|init=/);
});
