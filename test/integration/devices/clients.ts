// Real DHCP clients for the device tests: ISC dhclient run inside a LAN host namespace with
// its own conf, lease, pid and script files in the lab dir, configured to ask like a given
// kind of device (option 55 order, vendor class, hostname, client id). The script only sets
// the address and default route of the host's eth0 (never /etc/resolv.conf).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab, LabHost } from '../../lab/lab.js';
import type { LabProcess } from '../../lab/process.js';
import { waitFor } from '../../lab/poll.js';

export interface ClientProfile {
  prl: number[];
  hostname?: string;
  /** Option 12 byte for byte (control characters, UTF-8 bidi overrides, an empty name): written
   *  with dhclient.conf's octal escapes. Takes the place of `hostname`. */
  hostnameBytes?: Uint8Array;
  vendorClass?: string;
  /** Client id as colon hex, e.g. 01:aa:bb:.. */
  clientId?: string;
}

// Sources: rules/fingerprints.json (the same public fingerprint data the classifier cites).
export const IOS: Omit<ClientProfile, 'hostname'> = { prl: [1, 121, 3, 6, 15, 108, 114, 119, 252] };
export const ANDROID: Omit<ClientProfile, 'hostname'> = { prl: [1, 3, 6, 15, 26, 28, 51, 58, 59, 43], vendorClass: 'android-dhcp-13' };
export const WINDOWS_XP: Omit<ClientProfile, 'hostname'> = { prl: [1, 15, 3, 6, 44, 46, 47, 31, 33, 249, 43], vendorClass: 'MSFT 5.0' };
export const WINDOWS_10: Omit<ClientProfile, 'hostname'> = { prl: [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252], vendorClass: 'MSFT 5.0' };

const SCRIPT = `#!/bin/sh
# dhclient-script for the lab: address and default route only.
case "$reason" in
  BOUND|RENEW|REBIND|REBOOT)
    /usr/sbin/ip addr flush dev "$interface" scope global
    /usr/sbin/ip addr add "$new_ip_address/$new_subnet_mask" dev "$interface"
    [ -n "$new_routers" ] && /usr/sbin/ip route replace default via \${new_routers%% *} dev "$interface"
    ;;
esac
exit 0
`;

/** Every byte outside printable ASCII, and the quote and backslash, as dhclient's \ooo escape. */
function octal(bytes: Uint8Array): string {
  return [...bytes].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, '0')}`)).join('');
}

/** dhclient.conf text for a profile (pure). Strings are quoted for dhclient's parser. */
export function dhclientConf(p: ClientProfile): string {
  const q = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return [
    'timeout 30;', 'retry 1;', 'request subnet-mask, routers;',
    `send dhcp-parameter-request-list ${p.prl.join(',')};`,
    p.hostnameBytes !== undefined ? `send host-name "${octal(p.hostnameBytes)}";`
      : p.hostname !== undefined ? `send host-name ${q(p.hostname)};` : '',
    p.vendorClass !== undefined ? `send vendor-class-identifier ${q(p.vendorClass)};` : '',
    p.clientId !== undefined ? `send dhcp-client-identifier ${p.clientId};` : '',
    '',
  ].join('\n');
}

export interface DhcpClient {
  proc: LabProcess;
  /** The IPv4 address the host got. */
  address: string;
  stop(): Promise<void>;
}

let seq = 0;

/** Runs dhclient in `host`'s namespace until it has an address; throws PollTimeoutError. */
export async function runDhclient(lab: Lab, host: LabHost, p: ClientProfile, timeoutMs = 40_000): Promise<DhcpClient> {
  const tag = `${host.name}-${++seq}`;
  const conf = join(lab.dir, `dhclient-${tag}.conf`);
  const script = join(lab.dir, 'dhclient-script.sh');
  await writeFile(conf, dhclientConf(p));
  await writeFile(script, SCRIPT, { mode: 0o755 });
  const proc = await lab.spawn(host.ns, ['/usr/sbin/dhclient', '-d', '-1', '-4', '-cf', conf, '-lf', join(lab.dir, `dhclient-${tag}.leases`),
    '-pf', join(lab.dir, `dhclient-${tag}.pid`), '-sf', script, host.ifname]);
  const address = await waitFor(async () => {
    if (proc.exitStatus() !== undefined && !proc.stdout().includes('bound')) throw new Error(`dhclient exited: ${proc.stderr().slice(-800)}`);
    const out = await lab.exec(host.ns, ['/usr/sbin/ip', '-4', '-o', 'addr', 'show', 'dev', host.ifname, 'scope', 'global']);
    return /inet (\d+\.\d+\.\d+\.\d+)\//.exec(out)?.[1];
  }, { what: `a DHCP address on ${host.name}`, timeoutMs, intervalMs: 200 });
  return { proc, address, stop: () => proc.stop() };
}

/** A locally administered ("private") unicast MAC, as phones use per network. */
export function privateMac(): string {
  const b = Array.from({ length: 6 }, () => Math.floor(Math.random() * 256));
  b[0] = (b[0]! & 0xfc) | 0x02;
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Starts a DHCP server (dnsmasq, DHCP only) on the wan side's link to the box (bridge mode:
 *  the office router hands out addresses to the office). */
export async function startWanDhcp(lab: Lab): Promise<LabProcess> {
  const conf = join(lab.dir, 'wan-dnsmasq.conf');
  await writeFile(conf, [
    'port=0', 'bind-interfaces', 'interface=tobox', 'except-interface=lo',
    'dhcp-range=192.168.77.150,192.168.77.199,255.255.255.0,3600s', 'dhcp-option=option:router,192.168.77.1',
    'dhcp-authoritative', `dhcp-leasefile=${join(lab.dir, 'wan-dnsmasq.leases')}`, `pid-file=${join(lab.dir, 'wan-dnsmasq.pid')}`, 'user=root', '',
  ].join('\n'));
  return lab.spawn(lab.ns.wan, ['/usr/sbin/dnsmasq', '--keep-in-foreground', `--conf-file=${conf}`, '--log-facility=-']);
}

const UDHCPC_SCRIPT = `#!/bin/sh
# udhcpc script for the lab: address and default route only (never /etc/resolv.conf).
case "$1" in
  bound|renew)
    /usr/sbin/ip addr flush dev "$interface" scope global
    /usr/sbin/ip addr add "$ip/$mask" dev "$interface"
    [ -n "$router" ] && /usr/sbin/ip route replace default via \${router%% *} dev "$interface"
    ;;
  deconfig)
    /usr/sbin/ip addr flush dev "$interface" scope global
    ;;
esac
exit 0
`;

/** Runs busybox udhcpc in `host`'s namespace, sending `hostname` as option 12 byte for byte,
 *  until it has a lease. Then udhcpc exits and the lease stays, unless `stay`: udhcpc keeps
 *  running and `release()` sends DHCPRELEASE (SIGUSR2), like a device switched off. */
export async function runUdhcpc(lab: Lab, host: LabHost, hostname: string, opts: { stay?: boolean; timeoutMs?: number } = {}): Promise<{ address: string; release(): void }> {
  const script = join(lab.dir, 'udhcpc-script.sh');
  await writeFile(script, UDHCPC_SCRIPT, { mode: 0o755 });
  const proc = await lab.spawn(host.ns, ['/usr/sbin/udhcpc', '-f', ...(opts.stay ? [] : ['-q']), '-n', '-t', '20', '-T', '1', '-i', host.ifname,
    '-s', script, '-x', `hostname:${hostname}`]);
  const address = await waitFor(async () => {
    if (proc.exitStatus() !== undefined && !/lease of/.test(proc.stdout() + proc.stderr())) throw new Error(`udhcpc exited: ${proc.stderr().slice(-800)}`);
    const out = await lab.exec(host.ns, ['/usr/sbin/ip', '-4', '-o', 'addr', 'show', 'dev', host.ifname, 'scope', 'global']);
    return /inet (\d+\.\d+\.\d+\.\d+)\//.exec(out)?.[1];
  }, { what: `a udhcpc lease on ${host.name}`, timeoutMs: opts.timeoutMs ?? 40_000, intervalMs: 200 });
  return { address, release: () => { process.kill(proc.pid, 'SIGUSR2'); } };
}

/** Node's own resolver (c-ares, real UDP queries) run in `ns`: the addresses `server` gives
 *  for `name`, or the error code (ENOTFOUND, ENODATA, EREFUSED, …). */
export async function resolveIn(lab: Lab, ns: string, server: string, name: string, rrtype: 'A' | 'AAAA' = 'A'): Promise<string[] | string> {
  const fn = rrtype === 'A' ? 'resolve4' : 'resolve6';
  const js = `const {Resolver}=require('dns').promises;const r=new Resolver({timeout:2000,tries:2});r.setServers([${JSON.stringify(server)}]);
r.${fn}(${JSON.stringify(name)}).then((a)=>console.log(JSON.stringify(a.sort())),(e)=>console.log(JSON.stringify(String(e.code))));`;
  return JSON.parse((await lab.exec(ns, [process.execPath, '-e', js], { timeoutMs: 15_000 })).trim()) as string[] | string;
}
