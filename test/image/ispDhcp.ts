// The office router's DHCP server in the image lab: real dnsmasq in the wan namespace, on the
// cable to the box, handing the box's bridge (whichever of the VM's NIC MACs it carries) the
// a management address (192.168.77.2–9) with the router as gateway, like a home/office router does.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from '../lab/lab.js';
import type { LabProcess } from '../lab/process.js';

/** The address the router leased to the box (its bridge's MAC is random on this image). */
export async function boxAddress(lab: Lab): Promise<string | undefined> {
  const text = await readFile(join(lab.dir, 'isp-dhcp.leases'), 'utf8').catch(() => '');
  // dnsmasq lease lines: expiry MAC address hostname client-id
  return text.split('\n').map((l) => l.split(' ')).filter((f) => f[3] === 'otasuke-utm').map((f) => f[2]).at(-1);
}

/** Starts dnsmasq (DHCP only) on wan's `tobox`; stopped by lab.destroy(). */
export async function startIspDhcp(lab: Lab): Promise<LabProcess> {
  const leases = join(lab.dir, 'isp-dhcp.leases');
  return lab.spawn(lab.ns.wan, [
    'dnsmasq', '--keep-in-foreground', '--port=0', '--bind-interfaces', '--interface=tobox', '--except-interface=lo',
    `--dhcp-leasefile=${leases}`, '--dhcp-range=192.168.77.2,192.168.77.9,255.255.255.0,1h',
    `--dhcp-option=option:router,${lab.plan.lanGateway.v4}`, '--log-dhcp', '--log-facility=-', `--pid-file=${join(lab.dir, 'isp-dhcp.pid')}`,
  ], { stdinPipe: false });
}
