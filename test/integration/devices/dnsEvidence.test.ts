// Names a device looks up are classification evidence, end to end: a real dhclient asks like
// Windows Vista/7 (Windows 10 may send that list too), then the PC resolves Windows 10's
// connectivity-check name with Node's real resolver through the box. The box's one capture sees
// the query on the office port; `utmctl devices` then says Windows 10 / 11, not end-of-life, and
// shows the deciding evidence. (Learning period: no alert is involved.)
import test from 'ava';
import { createLab } from '../../lab/lab.js';
import { startUtmd, labUtmdConfig, labProvisioning, type Utmd } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import type { Device } from '../../../firmware/src/devices/model.js';
import { resolveIn, runDhclient, startWanDhcp } from './clients.js';

const VISTA_7 = { prl: [1, 15, 3, 6, 44, 46, 47, 31, 33, 121, 249, 43], vendorClass: 'MSFT 5.0' };

async function device(u: Utmd, mac: string): Promise<Device | undefined> {
  return (JSON.parse((await u.ctl(['devices', '--json'])).stdout) as { devices: Device[] }).devices.find((d) => d.mac === mac);
}

test.serial('bridge: a PC sending the Vista/7 list that checks msftconnecttest.com is Windows 10 / 11, not end-of-life', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  await startWanDhcp(lab);
  const utmd = await startUtmd(lab, { config: labUtmdConfig(lab, []), provisioning: labProvisioning('box-dns-0001', { learningDays: 7 }) });

  const pc = await lab.addLanHost({ mac: '00:14:22:31:41:59', addressing: 'none' });
  const client = await runDhclient(lab, pc, { ...VISTA_7, hostname: 'KEIRI-PC' });
  const before = await waitFor(async () => { const d = await device(utmd, pc.mac); return d?.fingerprint ? d : undefined; }, { what: 'the PC classified from DHCP', timeoutMs: 30_000 });
  t.like(before, { osFamily: 'windows', osName: 'Windows Vista / 7', eol: true, status: 'learning' });

  // A name of no hint changes nothing; Windows 10's connectivity check does. The office router
  // runs no DNS server here: the query crossing the box is what counts, not the answer.
  const gateway = '192.168.77.1';
  await resolveIn(lab, pc.ns, gateway, 'www.example.com');
  await resolveIn(lab, pc.ns, gateway, 'www.msftconnecttest.com');
  const after = await waitFor(async () => { const d = await device(utmd, pc.mac); return d?.dnsHints?.includes('windows-ncsi-10') ? d : undefined; },
    { what: 'the DNS hint on the PC', timeoutMs: 30_000 });
  t.like(after, { osFamily: 'windows', osName: 'Windows 10 / 11', eol: false });
  t.deepEqual(after.dnsHints, ['windows-ncsi-10']);
  t.true(after.classEvidence?.includes('dns:windows-ncsi-10'));
  const human = (await utmd.ctl(['devices'])).stdout;
  t.true(human.includes('dns:windows-ncsi-10'), 'the technician sees what decided it');
  const status = (await utmd.status()) as { features: { devices: { dnsLookups: { queries: number; hints: number } | null } } };
  t.true((status.features.devices.dnsLookups?.hints ?? 0) >= 1);
  await client.stop();
});
