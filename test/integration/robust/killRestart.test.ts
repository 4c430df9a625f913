// kill -9 of utmd in router mode, then a restart: the new utmd ends exactly the children the
// old one left (dnsmasq and tcpdump change uid, so the kernel dropped their parent-death
// signal), removes the temp file an interrupted feed write left, and its own dnsmasq binds:
// a new office PC gets a lease.
import test from 'ava';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLab } from '../../lab/lab.js';
import { startUtmd, labUtmdConfig, labProvisioning } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import { CHILDREN_DIR, procStartTime, type ChildRecord } from '../../../firmware/src/sys/childRecords.js';
import { privateMac, runDhclient, WINDOWS_10 } from '../devices/clients.js';
import { cmdlineOf, strangers } from './helpers.js';

type Status = { conditions: { id: string; ok: boolean }[] };
const ok = (s: unknown, id: string): boolean => (s as Status).conditions.some((c) => c.id === id && c.ok);

test.serial('router: kill -9 of utmd, restart: no orphan, no stale temp file, dnsmasq binds and serves a lease', async (t) => {
  const lab = await createLab({ mode: 'router', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const config = labUtmdConfig(lab, []);
  const provisioning = labProvisioning('box-robust-01', { learningDays: 0 });
  const first = await startUtmd(lab, { config, provisioning });
  await waitFor(async () => ok(await first.status(), 'sensor:dnsmasq'), { what: 'dnsmasq running', timeoutMs: 30_000 });
  const recDir = join(first.stateDir, CHILDREN_DIR);
  const records = await waitFor(() => {
    const r = readdirSync(recDir).map((n) => JSON.parse(readFileSync(join(recDir, n), 'utf8')) as ChildRecord);
    return r.some((x) => x.id === 'dnsmasq') && r.some((x) => x.id === 'capture') && r.some((x) => x.id === 'ulogd') ? r : undefined;
  }, { what: 'ulogd, dnsmasq and tcpdump recorded', timeoutMs: 30_000 });
  t.log(`children: ${records.map((r) => `${r.id}=${r.pid}`).join(' ')}`);
  // an interrupted feed snapshot write (several MB) as a killed load leaves it
  mkdirSync(join(first.stateDir, 'blocklist', 'feeds'), { recursive: true });
  const stale = join(first.stateDir, 'blocklist', 'feeds', 'spamhaus-drop.json.tmp-424242');
  writeFileSync(stale, Buffer.alloc(4 * 1024 * 1024));

  process.kill(first.proc.pid, 'SIGKILL');
  await waitFor(() => first.proc.exitStatus() !== undefined, { what: 'utmd gone' });
  const survivors = records.filter((r) => procStartTime(r.pid) === r.startTime);
  t.log(`left behind by the kill: ${survivors.map((r) => `${r.id} (${cmdlineOf(r.pid).slice(0, 60)})`).join(', ') || 'none'}`);

  const second = await startUtmd(lab, { config, provisioning });
  t.teardown(() => second.stop());
  // every old child is gone (not merely re-parented), and nothing in the box is a stranger
  t.deepEqual(records.filter((r) => procStartTime(r.pid) === r.startTime).map((r) => r.id), []);
  t.deepEqual(await strangers(lab.ns.box, second.proc.pid), []);
  t.false(existsSync(stale), 'the stale temp file was removed at start');
  // what the office experiences: the restarted dnsmasq binds and hands out a lease
  await waitFor(async () => ok(await second.status(), 'sensor:dnsmasq'), { what: 'dnsmasq running again', timeoutMs: 30_000 });
  const pc = await lab.addLanHost({ mac: privateMac(), addressing: 'none' });
  const client = await runDhclient(lab, pc, { ...WINDOWS_10, hostname: 'pc-after-restart' });
  t.regex(client.address, /^192\.168\.77\.\d+$/);
  await client.stop();
  t.regex(readFileSync(second.logPath, 'utf8'), /ended children left behind by a previous utmd/);
});
