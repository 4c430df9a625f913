// Shared steps of the port-role tests: what the office experiences (the page, a forwarded
// connection, a DHCP lease) and what utmd says about its ports.
import type { Lab, LabHost } from '../../lab/lab.js';
import { tcpProbe, startTcpListener } from '../../lab/services.js';
import type { Utmd } from '../../lab/utmd.js';
import { waitFor, PollTimeoutError } from '../../lab/poll.js';
import { runDhclient, WINDOWS_10, type DhcpClient } from '../devices/clients.js';

export interface PortsStatus {
  proven: boolean;
  watch: { readings: number } | null;
  wan: string | null;
  served: string[];
  problems: { code: string; port?: string }[];
}

interface Status {
  ports: PortsStatus;
  conditions: { id: string; ok: boolean; detail?: string }[];
}

export async function status(utmd: Utmd): Promise<Status> {
  return (await utmd.status()) as Status;
}

/** Polls until utmd's port roles satisfy `ok`; returns them. */
export async function waitPorts(utmd: Utmd, ok: (p: PortsStatus) => boolean, what: string, timeoutMs = 40_000): Promise<PortsStatus> {
  return waitFor(async () => {
    const p = (await status(utmd)).ports;
    return ok(p) ? p : undefined;
  }, { what, timeoutMs, intervalMs: 250 });
}

/** Polls until the port watcher has read the tables `n` times (its first plans are made). */
export async function waitReadings(utmd: Utmd, n = 2): Promise<void> {
  await waitPorts(utmd, (p) => (p.watch?.readings ?? 0) >= n, `${n} readings of the port watcher`);
}

/** Polls until the `ports` condition is bad and its detail matches `re`; returns the detail. */
export async function waitPortsCondition(utmd: Utmd, re: RegExp, timeoutMs = 60_000): Promise<string> {
  return waitFor(async () => {
    const c = (await status(utmd)).conditions.find((x) => x.id === 'ports');
    return c && !c.ok && re.test(c.detail ?? '') ? c.detail : undefined;
  }, { what: `the ports condition matching ${String(re)}`, timeoutMs, intervalMs: 250 });
}

/** The box's page, probed from `ns`: 'connected', 'refused', 'timeout' or 'unreachable'. */
export async function pageFrom(lab: Lab, ns: string, addr = lab.box.lanAddress.v4): Promise<string | undefined> {
  return (await tcpProbe(ns, [{ addr, port: 80 }], { timeoutMs: 1500 }))[0]?.outcome;
}

/** Polls until the page answers from `ns`. */
export async function waitPage(lab: Lab, ns: string, timeoutMs = 40_000): Promise<void> {
  await waitFor(async () => (await pageFrom(lab, ns)) === 'connected', { what: `the page from ${ns}`, timeoutMs, intervalMs: 300 });
}

/** An internet web server on the wan side (port 80). */
export async function internetWeb(lab: Lab): Promise<{ addr: string; port: number }> {
  const target = { addr: lab.internet.web.v4, port: 80 };
  await startTcpListener(lab, lab.ns.wan, [target]);
  return target;
}

/** Polls until a connection from `ns` to the internet web server goes through. */
export async function waitForwarded(lab: Lab, ns: string, target: { addr: string; port: number }, timeoutMs = 40_000): Promise<void> {
  await waitFor(async () => (await tcpProbe(ns, [target], { timeoutMs: 1500 }))[0]?.outcome === 'connected',
    { what: `a forwarded connection from ${ns}`, timeoutMs, intervalMs: 300 });
}

/** A DHCP client on `host`; resolves to its client, or null when no lease came within `timeoutMs`. */
export async function tryLease(lab: Lab, host: LabHost, timeoutMs: number): Promise<DhcpClient | null> {
  try {
    return await runDhclient(lab, host, { ...WINDOWS_10, hostname: `pc-${host.name}` }, timeoutMs);
  } catch (e) {
    if (e instanceof PollTimeoutError) return null;
    throw e;
  }
}

/** The ISP-side host as a LabHost for the DHCP client helper. */
export function ispHost(lab: Lab): LabHost {
  if (!lab.isp) throw new Error('lab built without ispHost');
  return { name: 'isp', ns: lab.isp.ns, ifname: lab.isp.ifname, v4: '', v6: undefined, mac: '', addressing: 'none' };
}
