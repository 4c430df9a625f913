// Checks on the appliance image files: systemd units (systemd-analyze verify + the invariants
// the product depends on), sysctl keys against this kernel, networkd keys against networkd,
// the example provisioning bundle against the real schema, and shell syntax of the scripts.
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ProvisioningSchema } from '../../../firmware/src/config/provisioning.js';
import { ConfigSchema } from '../../../firmware/src/config/schema.js';
import { verifyPassword } from '../../../firmware/src/auth/password.js';
import { DEFAULT_STATE_DIR } from '../../../firmware/src/sys/paths.js';
import { toolMissing } from '../../helpers/tools.js';

const execFileP = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const IMAGE = join(ROOT, 'image');
const read = (rel: string): string => readFileSync(join(IMAGE, rel), 'utf8');

/** Runs argv; never throws, returns code and output. */
async function sh(argv: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await execFileP(argv[0] as string, argv.slice(1), { env: env ?? process.env, maxBuffer: 8 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 127, stdout: x.stdout ?? '', stderr: x.stderr ?? String(e) };
  }
}

const has = async (cmd: string): Promise<boolean> => (await sh(['sh', '-c', 'command -v "$1"', 'sh', cmd])).code === 0;

/** `Key=value` lines of a unit/ini file as section.key → values (repeats kept in order). */
function ini(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) section = s[1] as string;
    else {
      const eq = line.indexOf('=');
      const key = `${section}.${line.slice(0, eq)}`;
      out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
    }
  }
  return out;
}
const one = (m: Map<string, string[]>, k: string): string | undefined => m.get(k)?.at(-1);
const words = (m: Map<string, string[]>, k: string): string[] => (m.get(k) ?? []).flatMap((v) => v.split(/\s+/).filter(Boolean));

const UNITS = readdirSync(join(IMAGE, 'systemd')).filter((f) => f.endsWith('.service'));

/** systemd-analyze verify on copies whose /opt/otasuke-utm paths point at this checkout (and the
 *  image's node, which build.sh puts there, at this node: the same build). */
async function verifyUnits(files: Record<string, string>): Promise<{ code: number; ours: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'utm-units-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text.replaceAll('/opt/otasuke-utm/node/bin/node', process.execPath).replaceAll('/opt/otasuke-utm/', ROOT));
    const r = await sh(['systemd-analyze', 'verify', '--man=no', ...Object.keys(files).map((n) => join(dir, n))]);
    // verify exits 0 on many parse warnings, so every line naming our units counts as a problem.
    const ours = r.stderr.split('\n').filter((l) => l.includes(dir) || Object.keys(files).some((n) => l.includes(n)));
    return { code: r.code, ours };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('systemd-analyze verify accepts every unit, and notices a broken one', async (t) => {
  if (!(await has('systemd-analyze'))) {
    toolMissing(t, 'systemd-analyze not installed (Debian package `systemd`)');
    return;
  }
  const files = Object.fromEntries(UNITS.map((u) => [u, read(`systemd/${u}`)]));
  const good = await verifyUnits(files);
  t.is(good.code, 0, good.ours.join('\n'));
  t.deepEqual(good.ours, []);
  // Negative control: the same check must see a bad value and an ordering cycle.
  const bad = await verifyUnits({ ...files, 'utmd.service': (files['utmd.service'] as string).replace('ProtectSystem=strict', 'ProtectSystem=bogus') });
  t.true(bad.ours.some((l) => l.includes('bogus')), 'a bad value must be reported');
});

test('utmd.service: hardened, never flushes the ruleset, writable state dir only', (t) => {
  const u = ini(read('systemd/utmd.service'));
  // Readiness and the watchdog through sd_notify (firmware/src/sys/sdNotify.ts, a child sends).
  t.is(one(u, 'Service.Type'), 'notify');
  t.is(one(u, 'Service.NotifyAccess'), 'all');
  t.regex(one(u, 'Service.WatchdogSec') ?? '', /^\d+s$/);
  t.is(one(u, 'Service.KillMode'), 'control-group');
  t.deepEqual(words(u, 'Service.SystemCallFilter'), ['@system-service']);
  t.deepEqual(words(u, 'Service.RestrictAddressFamilies').sort(), ['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_PACKET', 'AF_UNIX']);
  t.is(one(u, 'Service.Restart'), 'always');
  t.truthy(one(u, 'Service.RestartSec'));
  t.is(one(u, 'Unit.StartLimitIntervalSec'), '0', 'never stop restarting');
  t.is(one(u, 'Service.ProtectSystem'), 'strict');
  t.deepEqual(words(u, 'Service.ReadWritePaths'), [DEFAULT_STATE_DIR]);
  t.is(`/var/lib/${one(u, 'Service.StateDirectory')}`, DEFAULT_STATE_DIR);
  t.true((one(u, 'Service.ExecStart') ?? '').includes(`--state-dir ${DEFAULT_STATE_DIR}`));
  t.is(one(u, 'Service.MemoryMax'), '512M');
  t.is(one(u, 'Service.NoNewPrivileges'), 'yes');
  t.truthy(one(u, 'Service.LimitNOFILE'));
  const caps = ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_ADMIN', 'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID'];
  t.deepEqual(words(u, 'Service.CapabilityBoundingSet').sort(), caps);
  t.deepEqual(words(u, 'Service.AmbientCapabilities').sort(), caps);
  // Fail open: nothing may remove our tables when utmd stops or dies.
  for (const k of ['Service.ExecStop', 'Service.ExecStopPost', 'Service.ExecReload']) t.is(u.get(k), undefined, k);
  // These would break utmd: sysctl writes, Node's JIT. (Modules are loaded at boot by
  // modules-load.d, so ProtectKernelModules= is on.)
  for (const k of ['ProtectKernelTunables', 'MemoryDenyWriteExecute']) t.not(one(u, `Service.${k}`), 'yes', k);
  t.is(one(u, 'Service.ProtectKernelModules'), 'yes');
  t.true(words(u, 'Unit.After').includes('utmd-restore.service'));
  t.false(words(u, 'Unit.After').includes('network-online.target'), 'no DHCP server must never delay protection');
});

test('utmd-restore.service: restores our last-good file before the network, as a oneshot', (t) => {
  const u = ini(read('systemd/utmd-restore.service'));
  const file = `${DEFAULT_STATE_DIR}/ruleset.last-good.json`; // the NftDriver's lastGoodPath in Daemon
  t.is(one(u, 'Service.Type'), 'oneshot');
  t.is(one(u, 'Service.ExecStart'), `/usr/sbin/nft -j -f ${file}`);
  t.is(one(u, 'Unit.ConditionPathExists'), file);
  t.is(one(u, 'Unit.DefaultDependencies'), 'no');
  t.true(words(u, 'Unit.Before').includes('network-pre.target'));
  t.true(words(u, 'Unit.Wants').includes('network-pre.target'));
  t.is(u.get('Service.ExecStop'), undefined);
});

test('sysctl.d names only keys that exist on this kernel', async (t) => {
  const keys = read('sysctl.d/90-otasuke-utm.conf')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-z0-9_.-]+)\s*=\s*(\S+)$/.exec(l);
      t.truthy(m, `not a key = value line: ${l}`);
      return m?.[1] ?? '';
    });
  for (const k of ['net.netfilter.nf_conntrack_acct', 'net.netfilter.nf_conntrack_timestamp', 'net.bridge.bridge-nf-call-iptables', 'net.bridge.bridge-nf-call-ip6tables']) {
    t.true(keys.includes(k), `${k} is what the sensors and bridge mode need`);
  }
  const path = (k: string): string => `/proc/sys/${k.replaceAll('.', '/')}`;
  if (!existsSync('/proc/sys/net/bridge')) await sh(['modprobe', 'br_netfilter']);
  const bridgeLoaded = existsSync('/proc/sys/net/bridge');
  if (!bridgeLoaded) t.log('br_netfilter not available here; net.bridge.* keys not checked');
  const checked = keys.filter((k) => bridgeLoaded || !k.startsWith('net.bridge.'));
  t.deepEqual(checked.filter((k) => !existsSync(path(k))), []);
  t.false(existsSync(path('net.ipv4.no_such_key_utm')), 'the probe must be able to fail');
});

test('tmpfiles turns transparent huge pages to madvise, a mode this kernel offers', (t) => {
  const writes = read('system/tmpfiles.conf').split('\n').filter((l) => /^w\s/.test(l)).map((l) => l.trim().split(/\s+/));
  const thp = writes.find((w) => w[1] === '/sys/kernel/mm/transparent_hugepage/enabled');
  t.truthy(thp, 'a w line for /sys/kernel/mm/transparent_hugepage/enabled');
  t.is(thp?.[6], 'madvise', 'the argument is the 7th field: w PATH MODE USER GROUP AGE ARGUMENT');
  const file = '/sys/kernel/mm/transparent_hugepage/enabled';
  if (!existsSync(file)) return t.log('this kernel has no transparent huge pages; the mode was not checked against it');
  t.true(readFileSync(file, 'utf8').split(/\s+/).map((w) => w.replace(/[[\]]/g, '')).includes('madvise'), readFileSync(file, 'utf8'));
});

test('modules-load.d names nf_conntrack and br_netfilter, one valid module name a line', (t) => {
  const mods = read('modules-load.d/otasuke-utm.conf').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  t.deepEqual([...mods].sort(), ['br_netfilter', 'nf_conntrack']);
  for (const m of mods) t.regex(m, /^[a-z0-9_]+$/);
});

/** networkd's table of known `Section.Key` names, read from its binary (NUL-terminated). */
function networkdKeys(): ((k: string) => boolean) | null {
  const bin = ['/lib/systemd/systemd-networkd', '/usr/lib/systemd/systemd-networkd'].find(existsSync);
  if (!bin) return null;
  const blob = readFileSync(bin);
  return (k) => blob.includes(Buffer.from(`\0${k}\0`)) || blob.includes(Buffer.from(`${k}\0`));
}

test('networkd files: only keys networkd knows; br0 matches utmd; ports carry no address', (t) => {
  const files = readdirSync(join(IMAGE, 'network'));
  t.deepEqual(files.sort(), ['10-otasuke-br0.netdev', '20-otasuke-br0.network', '30-otasuke-ports.network']);
  const known = networkdKeys();
  if (!known) t.log('systemd-networkd binary not found; key names not checked');
  for (const f of files) {
    for (const k of ini(read(`network/${f}`)).keys()) if (known) t.true(known(k), `${f}: ${k} unknown to systemd-networkd`);
  }
  if (known) t.false(known('Network.NoSuchOption'), 'the probe must be able to fail');
  const netdev = ini(read('network/10-otasuke-br0.netdev'));
  t.is(one(netdev, 'NetDev.Name'), ConfigSchema.parse({}).interfaces.bridge);
  t.is(one(netdev, 'NetDev.Kind'), 'bridge');
  const br = ini(read('network/20-otasuke-br0.network'));
  t.is(one(br, 'Match.Name'), 'br0');
  t.is(one(br, 'Network.DHCP'), 'ipv4');
  t.is(one(br, 'Network.IPv6AcceptRA'), 'yes');
  const ports = ini(read('network/30-otasuke-ports.network'));
  t.is(one(ports, 'Match.Type'), 'ether');
  t.is(one(ports, 'Network.Bridge'), 'br0');
  t.is(one(ports, 'Network.DHCP'), 'no');
  t.is(one(ports, 'Network.LinkLocalAddressing'), 'no');
  t.is(one(ports, 'Network.IPv6AcceptRA'), 'no');
  t.is(ports.get('Network.Address'), undefined);
});

test('the example provisioning bundle passes the real schema, names every field, and its hash is the documented password', async (t) => {
  const raw = JSON.parse(read('provisioning.example.json')) as Record<string, unknown>;
  const r = ProvisioningSchema.safeParse(raw);
  t.true(r.success, r.success ? '' : JSON.stringify(r.error.issues));
  // tls (the provider's own certificate, PEM) is optional and shown in firmware/CONFIG.md.
  const fields = Object.keys(ProvisioningSchema.shape).filter((k) => k !== '$schema' && k !== 'tls').sort();
  t.deepEqual(Object.keys(raw).sort(), fields, 'the example shows every field');
  t.deepEqual(Object.keys(raw.desk as object).sort(), Object.keys(ProvisioningSchema.shape.desk.shape).sort());
  // upstream: the example stays a plain collector (the lab demo uses it with its UDP rsyslog); the
  // TLS/RELP fields (CA, pin, client certificate) are shown in firmware/CONFIG.md and README.
  const upstreamKeys = Object.keys(ProvisioningSchema.shape.upstream.shape);
  t.true(Object.keys(raw.upstream as object).every((k) => upstreamKeys.includes(k)));
  const hash = (raw.admin as { passwordHash: string }).passwordHash;
  t.regex(hash, /^scrypt\$16384\$8\$1\$/);
  t.true(await verifyPassword('example-only-change-me', hash));
  t.false(await verifyPassword('example-only-change-mE', hash));
  t.true(read('README.md').includes('example-only-change-me'));
});

test('the README bundle example is the example file and passes the schema', (t) => {
  const readme = read('README.md');
  const block = /```json provisioning\n([\s\S]*?)```/.exec(readme);
  t.truthy(block, 'README has a ```json provisioning block');
  const text = block?.[1] ?? '';
  t.deepEqual(JSON.parse(text), JSON.parse(read('provisioning.example.json')));
  t.true(ProvisioningSchema.safeParse(JSON.parse(text)).success);
});

const SCRIPTS = ['firstboot/otasuke-firstboot', 'build.sh', 'customize.sh', 'mkdisk.sh', 'health/otasuke-healthcheck',
  'rauc/bootloader-custom', 'rauc/pre-install', 'rauc/make-test-ca.sh', 'rauc/bundle.sh', 'rauc/bundle-hook'];

test('shell scripts: bash -n clean, strict mode, no eval; build.sh --help does nothing else', async (t) => {
  for (const f of SCRIPTS) {
    const p = join(IMAGE, f);
    const r = await sh(['bash', '-n', p]);
    t.is(r.code, 0, `${f}: ${r.stderr}`);
    const text = readFileSync(p, 'utf8');
    t.true(text.startsWith('#!/usr/bin/env bash\n'), f);
    t.true(text.includes('\nset -euo pipefail\n'), f);
    t.false(/(^|[\s;|&])eval\s/m.test(text), `${f} uses eval`);
  }
  const bad = await sh(['bash', '-n', '-c', 'if then fi']);
  t.not(bad.code, 0, 'bash -n must be able to fail');
  const help = await sh([join(IMAGE, 'build.sh'), '--help']);
  t.is(help.code, 0, help.stderr);
  t.regex(help.stdout, /--out DIR/);
  t.not((await sh([join(IMAGE, 'build.sh'), '--no-such-flag'])).code, 0);
});

test('the image build masks the distro services that would fight utmd, and never enables them', (t) => {
  const text = read('customize.sh').replace(/\\\n\s*/g, ' '); // join continued lines
  const masked = /systemctl mask ([^\n]+)/.exec(text)?.[1]?.split(/\s+/) ?? [];
  t.true(masked.includes('nftables.service'), 'its /etc/nftables.conf flushes the whole ruleset');
  t.true(masked.includes('ulogd2.service'), 'it would take NFLOG groups from utmd\'s own ulogd2');
  const enabled = /systemctl enable ([^\n]+)/.exec(text)?.[1]?.split(/\s+/) ?? [];
  for (const u of ['utmd-restore.service', 'otasuke-firstboot.service', 'utmd.service', 'otasuke-healthy.service', 'systemd-networkd.service']) t.true(enabled.includes(u), u);
  for (const u of ['nftables.service', 'ulogd2.service']) t.false(enabled.includes(u), u);
});

test('shell scripts pass shellcheck (when installed)', async (t) => {
  if (!(await has('shellcheck'))) {
    toolMissing(t, 'shellcheck not installed (Debian package `shellcheck`)');
    return;
  }
  const r = await sh(['shellcheck', '--shell=bash', ...SCRIPTS.map((f) => join(IMAGE, f))]);
  t.is(r.code, 0, r.stdout);
  const dir = mkdtempSync(join(tmpdir(), 'utm-sc-'));
  try {
    writeFileSync(join(dir, 'bad.sh'), '#!/usr/bin/env bash\nrm -rf $1/*\n');
    t.not((await sh(['shellcheck', join(dir, 'bad.sh')])).code, 0, 'an unquoted expansion must be reported');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
