import test from 'ava';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CONNTRACK_SYSCTLS, isAllowedSysctl, setSysctls, SysctlError, sysctlPath } from '../../../firmware/src/sys/sysctl.js';

async function fakeProc(t: { teardown: (f: () => Promise<void>) => void }): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'utm-sysctl-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await mkdir(path.join(root, 'net/netfilter'), { recursive: true });
  for (const n of ['nf_conntrack_acct', 'nf_conntrack_timestamp']) await writeFile(path.join(root, 'net/netfilter', n), '0\n');
  return root;
}

test('conntrack sysctls are written under the proc root and read back', async (t) => {
  const root = await fakeProc(t);
  await setSysctls(CONNTRACK_SYSCTLS, root);
  t.is(await readFile(path.join(root, 'net/netfilter/nf_conntrack_acct'), 'utf8'), '1\n');
  t.is(await readFile(path.join(root, 'net/netfilter/nf_conntrack_timestamp'), 'utf8'), '1\n');
});

test('names outside the whitelist or with path tricks are refused', (t) => {
  for (const n of ['kernel.core_pattern', 'net.netfilter', 'net.netfilter.../../x', 'net.netfilter.a/b', 'net.core.X', 'vm.swappiness']) {
    t.false(isAllowedSysctl(n), n);
    t.throws(() => sysctlPath(n), { instanceOf: SysctlError });
  }
  t.true(isAllowedSysctl('net.bridge.bridge-nf-call-iptables'));
  t.is(sysctlPath('net.netfilter.nf_conntrack_acct', '/p'), '/p/net/netfilter/nf_conntrack_acct');
});

test('bad values and failed writes are SysctlErrors', async (t) => {
  const root = await fakeProc(t);
  await t.throwsAsync(() => setSysctls({ 'net.netfilter.nf_conntrack_acct': '1\nx' }, root), { instanceOf: SysctlError });
  const err = await t.throwsAsync(() => setSysctls({ 'net.ipv4.ip_forward': '1' }, path.join(root, 'missing')), { instanceOf: SysctlError });
  t.truthy(err?.cause);
});
