// A child that cannot start is tried again, without a restart: dnsmasq (the office's DHCP
// server) and ulogd2 (the box's eyes) each find their file in the runtime dir blocked at
// start (a file where dnsmasq's directory goes, a directory where ulogd2's config goes):
// both say so and keep trying; once the obstacle is gone, both run and the office gets a lease.
import test from 'ava';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLab } from '../../lab/lab.js';
import { startUtmd, labUtmdConfig, labProvisioning, type Utmd } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import { privateMac } from '../devices/clients.js';
import { tryLease } from '../ports/helpers.js';

type Cond = { id: string; ok: boolean; detail?: string };

async function waitCond(utmd: Utmd, id: string, ok: boolean, re: RegExp = /./): Promise<Cond> {
  return waitFor(async () => {
    const c = ((await utmd.status()) as { conditions: Cond[] }).conditions.find((x) => x.id === id);
    return c?.ok === ok && re.test(c.detail ?? '') ? c : undefined;
  }, { what: `condition ${id} ${ok ? 'ok' : 'down'} (${String(re)})`, timeoutMs: 45_000, intervalMs: 250 });
}

test.serial('router: dnsmasq and ulogd2 blocked at start are tried again and run once the obstacle is gone; the office gets a lease', async (t) => {
  const lab = await createLab({ mode: 'router', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const runtimeDir = join(lab.dir, 'run');
  mkdirSync(runtimeDir, { mode: 0o700 });
  const dnsmasqDir = join(runtimeDir, 'dnsmasq');
  const ulogdConf = join(runtimeDir, 'ulogd.conf');
  writeFileSync(dnsmasqDir, 'not a directory');
  mkdirSync(join(ulogdConf, 'not-a-file'), { recursive: true });
  const utmd = await startUtmd(lab, {
    config: labUtmdConfig(lab, []), provisioning: labProvisioning('box-start-retry', { learningDays: 0 }), env: { RUNTIME_DIRECTORY: runtimeDir },
  });
  t.teardown(() => utmd.stop());
  t.regex((await waitCond(utmd, 'sensor:dnsmasq', false, /trying again/)).detail ?? '', /cannot start/);
  t.regex((await waitCond(utmd, 'sensor:ulogd', false, /trying again/)).detail ?? '', /cannot start/);

  rmSync(dnsmasqDir);
  rmSync(ulogdConf, { recursive: true });
  await waitCond(utmd, 'sensor:dnsmasq', true);
  await waitCond(utmd, 'sensor:ulogd', true);
  const pc = await lab.addLanHost({ mac: privateMac(), addressing: 'none' });
  const lease = await tryLease(lab, pc, 40_000);
  t.regex(lease?.address ?? '', /^192\.168\.77\.\d+$/, 'a lease without a restart of utmd');
  await lease?.stop();
  t.is(utmd.proc.exitStatus(), undefined);
});
