// The first-boot script against a temporary root: installs a valid bundle (validated by the
// real `utmd --check-provisioning`), refuses a bad one and keeps the old, is idempotent, and
// never mounts real media or reaches the network (OTASUKE_MEDIA_DIRS is always set).
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashPassword } from '../../../firmware/src/auth/password.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = join(ROOT, 'image/firstboot/otasuke-firstboot');
const UTMD = join(ROOT, 'firmware/bin/utmd');
const SHIPPED_EXAMPLE = readFileSync(join(ROOT, 'image/provisioning.example.json'), 'utf8');
// The shipped example's password is a known example one, which --check-provisioning refuses
// (issue 12); the bundles installed here carry a hash of a real password (cheap N for speed).
const EXAMPLE = SHIPPED_EXAMPLE.replace(/"scrypt\$[^"]+"/, JSON.stringify(await hashPassword('k7dq-x3mp-9wzt-h2vn', undefined, { N: 1024, r: 8, p: 1 })));
const built = existsSync(join(ROOT, 'dist/bundle/utmd.js')); // what firmware/bin/utmd runs

interface Box {
  root: string;
  media: string;
  etc: string;
  state: string;
  bundle: string;
  run: () => Promise<{ code: number; stdout: string; stderr: string }>;
}

/** A temporary root with an empty media folder; removed in teardown. */
function box(t: { teardown: (fn: () => void) => void }): Box {
  const root = mkdtempSync(join(tmpdir(), 'utm-firstboot-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const media = join(root, 'media');
  mkdirSync(media);
  const etc = join(root, 'etc/otasuke-utm');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', OTASUKE_ROOT: root, OTASUKE_UTMD: UTMD, OTASUKE_MEDIA_DIRS: media };
  return {
    root, media, etc,
    state: join(root, 'var/lib/otasuke-utm'),
    bundle: join(etc, 'provisioning.json'),
    run: () =>
      new Promise((resolve) => {
        execFile(SCRIPT, [], { env }, (e, stdout, stderr) => {
          const code = e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : 127) : 0;
          resolve({ code, stdout, stderr });
        });
      }),
  };
}

const onStick = (b: Box, text: string): void => {
  mkdirSync(join(b.media, 'otasuke-utm'), { recursive: true });
  writeFileSync(join(b.media, 'otasuke-utm/provisioning.json'), text);
};
const mode = (p: string): number => statSync(p).mode & 0o777;
const other = (): string => EXAMPLE.replace('otasuke-demo-0001', 'otasuke-demo-0002');

test.before((t) => {
  if (!built) t.log('dist/ missing: run `make build` first');
});

test('a valid bundle on removable media is installed; state dir 0700; done marker', async (t) => {
  t.true(built, 'utmd must be built');
  const b = box(t);
  onStick(b, EXAMPLE);
  const r = await b.run();
  t.is(r.code, 0, r.stderr);
  t.is(readFileSync(b.bundle, 'utf8'), EXAMPLE);
  t.is(mode(b.bundle), 0o640);
  t.is(mode(b.state), 0o700);
  t.true(existsSync(join(b.state, 'firstboot.done')));
  t.regex(r.stdout, /installed the provisioning bundle/);
});

test('running again is harmless (idempotent)', async (t) => {
  t.true(built, 'utmd must be built');
  const b = box(t);
  onStick(b, EXAMPLE);
  t.is((await b.run()).code, 0);
  const r = await b.run();
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /already installed/);
  t.is(readFileSync(b.bundle, 'utf8'), EXAMPLE);
  t.false(existsSync(`${b.bundle}.prev`));
  t.deepEqual(readdirSync(b.etc).sort(), ['provisioning.json']);
});

test('a bad bundle is refused with the field named, and the installed one is kept', async (t) => {
  t.true(built, 'utmd must be built');
  const b = box(t);
  onStick(b, EXAMPLE);
  t.is((await b.run()).code, 0);
  rmSync(join(b.state, 'firstboot.done'));
  const bad = JSON.parse(EXAMPLE) as { desk: { phone: string }; surprise?: boolean };
  bad.desk.phone = 'call us';
  bad.surprise = true;
  onStick(b, JSON.stringify(bad));
  const r = await b.run();
  t.is(r.code, 1);
  t.regex(r.stderr, /REFUSED/);
  t.regex(r.stderr, /desk\.phone/);
  t.regex(r.stderr, /surprise/);
  t.regex(r.stderr, /kept unchanged/);
  t.is(readFileSync(b.bundle, 'utf8'), EXAMPLE, 'old bundle byte-for-byte');
  t.deepEqual(readdirSync(b.etc).sort(), ['provisioning.json'], 'no temp files left behind');
  t.regex(readFileSync(join(b.state, 'provisioning.refused'), 'utf8'), /desk\.phone/);
  t.false(existsSync(join(b.state, 'firstboot.done')), 'refusal retries at next boot');
});

test('with nothing installed, a bad bundle leaves no bundle at all', async (t) => {
  t.true(built, 'utmd must be built');
  const b = box(t);
  onStick(b, '{ "version": 1, "deviceId": ');
  const r = await b.run();
  t.is(r.code, 1);
  t.regex(r.stderr, /not valid JSON/);
  t.false(existsSync(b.bundle));
  t.false(existsSync(join(b.state, 'firstboot.done')));
});

test('oversized files and symlinks are refused without being read', async (t) => {
  const b = box(t);
  onStick(b, ' '.repeat(70_000));
  const big = await b.run();
  t.is(big.code, 1);
  t.regex(big.stderr, /at most 65536/);
  rmSync(join(b.media, 'otasuke-utm/provisioning.json'));
  writeFileSync(join(b.root, 'elsewhere.json'), EXAMPLE);
  symlinkSync(join(b.root, 'elsewhere.json'), join(b.media, 'otasuke-utm/provisioning.json'));
  const link = await b.run();
  t.is(link.code, 1);
  t.regex(link.stderr, /not a regular file/);
  t.false(existsSync(b.bundle));
});

test('a newer valid bundle replaces the old one, which is kept as .prev', async (t) => {
  t.true(built, 'utmd must be built');
  const b = box(t);
  onStick(b, EXAMPLE);
  t.is((await b.run()).code, 0);
  onStick(b, other());
  const r = await b.run();
  t.is(r.code, 0, r.stderr);
  t.is(readFileSync(b.bundle, 'utf8'), other());
  t.is(readFileSync(`${b.bundle}.prev`, 'utf8'), EXAMPLE);
});

test('no bundle anywhere: says utmd generates a unique password, and finishes', async (t) => {
  const b = box(t);
  const r = await b.run();
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /generate a unique admin password/);
  t.false(existsSync(b.bundle));
  t.true(existsSync(join(b.state, 'firstboot.done')));
});

test('a provider URL that is not https is refused before any download', async (t) => {
  const b = box(t);
  mkdirSync(b.etc, { recursive: true });
  writeFileSync(join(b.etc, 'provider-url'), 'http://198.51.100.10/bundle.json\n');
  const r = await b.run();
  t.is(r.code, 1);
  t.regex(r.stderr, /expected one https:\/\/ URL/);
  t.false(existsSync(b.bundle));
});

test('the shipped example bundle is refused: its password is a known example (clear message, nothing installed)', async (t) => {
  t.true(built, 'utmd must be built');
  const b = box(t);
  onStick(b, SHIPPED_EXAMPLE);
  const r = await b.run();
  t.not(r.code, 0);
  t.false(existsSync(b.bundle), 'nothing installed');
  t.regex(r.stdout + r.stderr, /known example password/);
});
