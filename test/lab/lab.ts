// Builds a small office in network namespaces: `wan` (ISP/office router plus "internet"
// hosts), `box` (the appliance, ports eth0=wan side and eth1=lan side), `sw` (the office
// switch) and LAN hosts `lan1..N`. See test/lab/README.md for the diagram and addresses.
import { access, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  addAddress, addBridge, addDummy, addLocalPrefix, setMac, addNamespace, addRoute, addVeth, deleteNamespace, execIn, execInResult, labDir,
  macOf, newLabId, nsName, removeOwnerMarker, setMaster, setSysctl, spawnIn, writeOwnerMarker,
} from './netns.js';
import { spawnProcess, type LabProcess, type SpawnOptions } from './process.js';
import type { RunOptions, RunResult } from './run.js';
import { run } from './run.js';
import { Teardown } from './teardown.js';
import {
  INTERNET, INTERNET_ANYIP, INTERNET_PREFIXES, lanHostPlan, planTopology, type LabMode, type LanHostPlan, type TopologyPlan,
} from './topology.js';

/** Root of the repository (agents are run with this as cwd so `--import tsx` resolves). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LabOptions {
  mode: LabMode;
  /** Number of LAN host namespaces (default 1). */
  lanHosts?: number;
  /** Give everything IPv6 addresses as well (default true). */
  v6?: boolean;
  /** `static` (default): LAN hosts get their planned addresses and default routes; `none`: left unconfigured for DHCP clients. */
  lanAddressing?: LanAddressing;
  /**
   * Bridge mode only: a second office port on the box (`eth2`, also in br0) with one namespace
   * behind it standing for another room's switch and PCs (`lab.segment2`; give it addresses
   * inside the LAN prefix with addSegment2Address). Traffic between the two segments crosses
   * the box's bridge, traffic inside one segment does not. Throws RangeError in router mode.
   */
  secondLanPort?: boolean;
  /**
   * The other way round: the office router is cabled to the box's `eth1` and the office switch
   * to `eth0` (`lab.box.wanIf` / `lanIf` say which). In router mode the addresses follow the
   * cables (the WAN address on eth1), as a box configured for its cabling would have them.
   */
  swapBoxPorts?: boolean;
  /**
   * Router mode with swapBoxPorts: `false` keeps the addresses by port name (the WAN address on
   * eth0, now cabled to the office switch; the office address on eth1, now facing the ISP), as
   * a box whose cables were simply plugged in the wrong way round has them. Default true.
   */
  addressesFollowCables?: boolean;
  /**
   * Another host on the ISP side of the box (`lab.isp`: namespace with `eth0`, a macvlan on the
   * router's cable to the box, no addresses): e.g. a DHCP client that must never get a lease
   * from the box.
   */
  ispHost?: boolean;
  /**
   * The office router's cable starts unplugged (its end in `wan` is down): no gateway, no
   * router advertisement, nothing from the ISP side until `lab.plugRouter()`.
   */
  routerUnplugged?: boolean;
}

export type LanAddressing = 'static' | 'none';

export interface AddLanHostOptions {
  /** MAC address for the host's eth0 (default: the kernel's random one). */
  mac?: string;
  /** Default: the lab's lanAddressing. */
  addressing?: LanAddressing;
}

export interface LabHost {
  /** Role, e.g. `lan1`. */
  name: string;
  ns: string;
  ifname: string;
  /** Planned IPv4 address; configured only when addressing is `static`. */
  v4: string;
  /** Planned IPv6 address; undefined when the lab was built without IPv6. */
  v6: string | undefined;
  /** Current MAC of the host's eth0 (kept up to date by setHostMac). */
  mac: string;
  addressing: LanAddressing;
}

export interface Lab {
  readonly id: string;
  readonly mode: LabMode;
  /** Scratch directory for this lab's configs, logs and sockets (removed on destroy). */
  readonly dir: string;
  readonly plan: TopologyPlan;
  readonly ns: { wan: string; box: string; sw: string; lan: string[] };
  readonly box: {
    ns: string;
    /** The box port the office router is cabled to (`eth0`, or `eth1` with swapBoxPorts). */
    wanIf: 'eth0' | 'eth1';
    /** The box port the office switch is cabled to. */
    lanIf: 'eth0' | 'eth1';
    /** `br0` in bridge mode, undefined in router mode. */
    bridge: 'br0' | undefined;
    lanAddress: { v4: string; v6: string | undefined };
    wanAddress: { v4: string; v6: string | undefined };
  };
  readonly hosts: LabHost[];
  /** The namespace behind the box's second LAN port (`secondLanPort`), interface `eth0`; undefined otherwise. */
  readonly segment2: { ns: string; ifname: 'eth0' } | undefined;
  /** The ISP-side host (`ispHost`), interface `eth0`; undefined otherwise. */
  readonly isp: { ns: string; ifname: 'eth0' } | undefined;
  /** Plugs the office router's cable in (its end in `wan` up); see routerUnplugged. */
  plugRouter(): Promise<void>;
  /** Renames a port of the box (down, rename, up), as a new udev rule or NIC driver would. */
  renameBoxPort(from: string, to: string): Promise<void>;
  readonly internet: typeof INTERNET;
  /** Every namespace of the lab. */
  namespaces(): string[];
  /** Plugs one more LAN host into the office switch (e.g. a device joining later); removed on destroy(). */
  addLanHost(opts?: AddLanHostOptions): Promise<LabHost>;
  /** Adds a LAN address (e.g. `192.168.77.201`, inside the LAN prefix) to segment2's interface; throws without secondLanPort. */
  addSegment2Address(addr: string): Promise<void>;
  /** Changes a LAN host's MAC address (e.g. a phone rotating its private MAC); throws RangeError on a bad MAC. */
  setHostMac(host: LabHost, mac: string): Promise<void>;
  /** Runs argv inside ns; returns stdout, throws CommandError on non-zero exit. */
  exec(ns: string, argv: readonly string[], opts?: RunOptions): Promise<string>;
  /** Runs argv inside ns; returns code and output. */
  execResult(ns: string, argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** Starts a long-running process inside ns; it is stopped (whole group) on destroy(). */
  spawn(ns: string, argv: readonly string[], opts?: SpawnOptions): Promise<LabProcess>;
  /** Runs one of test/lab/agents/*.ts inside ns (or on the host when ns is undefined); stopped on destroy(). */
  spawnAgent(ns: string | undefined, agent: string, args: readonly string[], opts?: SpawnOptions): Promise<LabProcess>;
  /** Registers an extra clean-up step, run (in reverse order) by destroy(). */
  onDestroy(step: string, fn: () => unknown): void;
  /** Stops every process, deletes every namespace and link; throws TeardownError listing failed steps. */
  destroy(): Promise<void>;
}

type BoxPorts = { wan: 'eth0' | 'eth1'; lan: 'eth0' | 'eth1' };

/** Makes sure br_netfilter's sysctls exist (loading the module on the host if needed); throws otherwise. */
async function ensureBrNetfilter(boxNs: string): Promise<void> {
  const path = '/proc/sys/net/bridge/bridge-nf-call-iptables';
  const present = await execInResult(boxNs, ['test', '-e', path]);
  if (present.code === 0) return;
  await run(['modprobe', 'br_netfilter']);
  await execIn(boxNs, ['test', '-e', path]);
}

/** Builds a lab; on any failure removes what was built and rethrows. */
export async function createLab(opts: LabOptions): Promise<Lab> {
  if (opts.secondLanPort === true && opts.mode !== 'bridge') throw new RangeError('secondLanPort needs bridge mode (router mode has one LAN port)');
  const v6 = opts.v6 ?? true;
  const plan = planTopology(opts.mode, opts.lanHosts ?? 1);
  const id = newLabId();
  const td = new Teardown();
  const dir = labDir(id);
  await writeOwnerMarker(id);
  td.push('remove owner marker', () => removeOwnerMarker(id));
  await mkdir(dir, { recursive: true });

  const ns = { wan: nsName(id, 'wan'), box: nsName(id, 'box'), sw: nsName(id, 'sw'), lan: plan.lanHosts.map((h) => nsName(id, h.role)) };
  const seg2 = opts.secondLanPort === true ? nsName(id, 'seg2') : undefined;
  const isp = opts.ispHost === true ? nsName(id, 'isp') : undefined;
  const all = [ns.wan, ns.box, ns.sw, ...ns.lan, ...(seg2 === undefined ? [] : [seg2]), ...(isp === undefined ? [] : [isp])];
  const ports = opts.swapBoxPorts === true ? { wan: 'eth1', lan: 'eth0' } as const : { wan: 'eth0', lan: 'eth1' } as const;
  try {
    for (const n of all) {
      await addNamespace(n);
      td.push(`delete namespace ${n}`, () => deleteNamespace(n));
    }
    await buildCore(plan, ns, v6, ports, opts.addressesFollowCables === false ? { wan: 'eth0', lan: 'eth1' } : ports);
    if (isp !== undefined) {
      await execIn(ns.wan, ['ip', 'link', 'add', 'isp0', 'link', 'tobox', 'type', 'macvlan', 'mode', 'bridge']);
      await execIn(ns.wan, ['ip', 'link', 'set', 'isp0', 'netns', isp]);
      await execIn(isp, ['ip', 'link', 'set', 'isp0', 'name', 'eth0']);
      await execIn(isp, ['ip', 'link', 'set', 'eth0', 'up']);
    }
    if (opts.routerUnplugged === true) await execIn(ns.wan, ['ip', 'link', 'set', 'tobox', 'down']);
    if (seg2 !== undefined) {
      await addVeth(ns.box, 'eth2', seg2, 'eth0');
      await setMaster(ns.box, 'eth2', 'br0');
    }
    const addressing = opts.lanAddressing ?? 'static';
    const hosts: LabHost[] = [];
    for (const [i, h] of plan.lanHosts.entries()) {
      hosts.push(await attachLanHost(plan, ns.sw, ns.lan[i] ?? '', h, v6, { addressing }));
    }
    return makeLab({ id, mode: opts.mode, dir, plan, ns, all, hosts, td, v6, addressing, seg2, isp, ports });
  } catch (e) {
    await td.run();
    throw e;
  }
}

async function buildCore(plan: TopologyPlan, ns: Lab['ns'], v6: boolean, ports: BoxPorts, addrPorts: BoxPorts): Promise<void> {
  // wan: the ISP / office router with the "internet" on a dummy interface.
  await addDummy(ns.wan, 'inet0');
  for (const p of INTERNET_PREFIXES.v4) await addAddress(ns.wan, 'inet0', p);
  for (const h of Object.values(INTERNET)) await addAddress(ns.wan, 'inet0', `${h.v4}/32`);
  for (const p of INTERNET_ANYIP.v4) await addLocalPrefix(ns.wan, p);
  if (v6) {
    for (const p of INTERNET_PREFIXES.v6) await addAddress(ns.wan, 'inet0', p);
    for (const h of Object.values(INTERNET)) await addAddress(ns.wan, 'inet0', `${h.v6}/128`);
    for (const p of INTERNET_ANYIP.v6) await addLocalPrefix(ns.wan, p);
  }
  await setSysctl(ns.wan, 'net.ipv4.ip_forward', '1');
  if (v6) await setSysctl(ns.wan, 'net.ipv6.conf.all.forwarding', '1');

  // Cables: wan <-> box eth0, box eth1 <-> switch, switch <-> each LAN host (swapBoxPorts:
  // the other way round). eth0 is created first either way, as hardware would number them.
  if (ports.wan === 'eth0') {
    await addVeth(ns.wan, 'tobox', ns.box, 'eth0');
    await addVeth(ns.box, 'eth1', ns.sw, 'tobox');
  } else {
    await addVeth(ns.box, 'eth0', ns.sw, 'tobox');
    await addVeth(ns.wan, 'tobox', ns.box, 'eth1');
  }
  await addBridge(ns.sw, 'sw0');
  await setMaster(ns.sw, 'tobox', 'sw0');
  await addAddress(ns.wan, 'tobox', `${plan.wanLink.v4}/${plan.wanLink.prefixLen4}`);
  if (v6) await addAddress(ns.wan, 'tobox', `${plan.wanLink.v6}/${plan.wanLink.prefixLen6}`);

  if (plan.mode === 'bridge') {
    // As the appliance image's network config would: both ports in br0, management address on br0.
    await addBridge(ns.box, 'br0');
    await setMaster(ns.box, 'eth0', 'br0');
    await setMaster(ns.box, 'eth1', 'br0');
    await addAddress(ns.box, 'br0', `${plan.boxLan.v4}/24`);
    await addRoute(ns.box, 'default', plan.lanGateway.v4, 4);
    if (v6) {
      await addAddress(ns.box, 'br0', `${plan.boxLan.v6}/64`);
      await addRoute(ns.box, 'default', plan.lanGateway.v6, 6);
    }
    await ensureBrNetfilter(ns.box);
    await setSysctl(ns.box, 'net.bridge.bridge-nf-call-iptables', '1');
    await setSysctl(ns.box, 'net.bridge.bridge-nf-call-ip6tables', '1');
  } else {
    await addAddress(ns.box, addrPorts.wan, `${plan.boxWan.v4}/${plan.wanLink.prefixLen4}`);
    await addAddress(ns.box, addrPorts.lan, `${plan.boxLan.v4}/24`);
    await addRoute(ns.box, 'default', plan.wanLink.v4, 4);
    await setSysctl(ns.box, 'net.ipv4.ip_forward', '1');
    // The ISP routes the office prefix to the box, so tests can also send unsolicited WAN→LAN traffic.
    await addRoute(ns.wan, plan.lanPrefix.v4, plan.boxWan.v4, 4);
    if (v6) {
      await addAddress(ns.box, addrPorts.wan, `${plan.boxWan.v6}/${plan.wanLink.prefixLen6}`);
      await addAddress(ns.box, addrPorts.lan, `${plan.boxLan.v6}/64`);
      await addRoute(ns.box, 'default', plan.wanLink.v6, 6);
      await setSysctl(ns.box, 'net.ipv6.conf.all.forwarding', '1');
      await addRoute(ns.wan, plan.lanPrefix.v6, plan.boxWan.v6, 6);
    }
  }
}

/** Creates the cable from the office switch to a LAN host namespace and configures the host. */
async function attachLanHost(plan: TopologyPlan, swNs: string, hostNs: string, h: LanHostPlan, v6: boolean,
  opts: { addressing: LanAddressing; mac?: string | undefined }): Promise<LabHost> {
  await addVeth(swNs, h.role, hostNs, h.ifname);
  await setMaster(swNs, h.role, 'sw0');
  // Announce address/MAC changes (gratuitous ARP / unsolicited NA) so a host that changes
  // its MAC, like a phone rotating its private MAC, is reachable again at once.
  await setSysctl(hostNs, `net.ipv4.conf.${h.ifname}.arp_notify`, '1');
  await setSysctl(hostNs, `net.ipv6.conf.${h.ifname}.ndisc_notify`, '1');
  if (opts.mac !== undefined) await setMac(hostNs, h.ifname, opts.mac);
  if (opts.addressing === 'static') {
    await addAddress(hostNs, h.ifname, `${h.v4}/24`);
    await addRoute(hostNs, 'default', plan.lanGateway.v4, 4);
    if (v6) {
      await addAddress(hostNs, h.ifname, `${h.v6}/64`);
      await addRoute(hostNs, 'default', plan.lanGateway.v6, 6);
    }
  }
  return { name: h.role, ns: hostNs, ifname: h.ifname, v4: h.v4, v6: v6 ? h.v6 : undefined, mac: await macOf(hostNs, h.ifname), addressing: opts.addressing };
}

interface LabParts {
  id: string;
  mode: LabMode;
  dir: string;
  plan: TopologyPlan;
  ns: Lab['ns'];
  all: string[];
  hosts: LabHost[];
  td: Teardown;
  v6: boolean;
  addressing: LanAddressing;
  seg2: string | undefined;
  isp: string | undefined;
  ports: { wan: 'eth0' | 'eth1'; lan: 'eth0' | 'eth1' };
}

function makeLab(p: LabParts): Lab {
  const { td } = p;
  const spawn = async (ns: string | undefined, argv: readonly string[], opts?: SpawnOptions): Promise<LabProcess> => {
    const proc = ns === undefined ? await spawnProcess(argv, opts) : await spawnIn(ns, argv, opts);
    td.push(`stop ${argv.join(' ').slice(0, 80)}`, () => proc.stop());
    return proc;
  };
  const v6or = (s: string): string | undefined => (p.v6 ? s : undefined);
  return {
    id: p.id,
    mode: p.mode,
    dir: p.dir,
    plan: p.plan,
    ns: p.ns,
    box: {
      ns: p.ns.box,
      wanIf: p.ports.wan,
      lanIf: p.ports.lan,
      bridge: p.mode === 'bridge' ? 'br0' : undefined,
      lanAddress: { v4: p.plan.boxLan.v4, v6: v6or(p.plan.boxLan.v6) },
      wanAddress: { v4: p.plan.boxWan.v4, v6: v6or(p.plan.boxWan.v6) },
    },
    hosts: p.hosts,
    segment2: p.seg2 === undefined ? undefined : { ns: p.seg2, ifname: 'eth0' },
    isp: p.isp === undefined ? undefined : { ns: p.isp, ifname: 'eth0' },
    async plugRouter() {
      await execIn(p.ns.wan, ['ip', 'link', 'set', 'tobox', 'up']);
    },
    async renameBoxPort(from, to) {
      await execIn(p.ns.box, ['ip', 'link', 'set', from, 'down']);
      await execIn(p.ns.box, ['ip', 'link', 'set', from, 'name', to]);
      await execIn(p.ns.box, ['ip', 'link', 'set', to, 'up']);
    },
    internet: INTERNET,
    namespaces: () => [...p.all],
    async addLanHost(opts = {}) {
      const h = lanHostPlan(p.hosts.length);
      const hostNs = nsName(p.id, h.role);
      await addNamespace(hostNs);
      td.push(`delete namespace ${hostNs}`, () => deleteNamespace(hostNs));
      p.all.push(hostNs);
      p.ns.lan.push(hostNs);
      const host = await attachLanHost(p.plan, p.ns.sw, hostNs, h, p.v6, { addressing: opts.addressing ?? p.addressing, mac: opts.mac });
      p.hosts.push(host);
      return host;
    },
    async addSegment2Address(addr) {
      if (p.seg2 === undefined) throw new RangeError('this lab has no second LAN port (createLab secondLanPort)');
      await addAddress(p.seg2, 'eth0', addr.includes(':') ? `${addr}/64` : `${addr}/24`);
    },
    async setHostMac(host, mac) {
      await setMac(host.ns, host.ifname, mac);
      host.mac = await macOf(host.ns, host.ifname);
    },
    exec: (ns, argv, opts) => execIn(ns, argv, opts),
    execResult: (ns, argv, opts) => execInResult(ns, argv, opts),
    spawn: (ns, argv, opts) => spawn(ns, argv, opts),
    async spawnAgent(ns, agent, args, opts) {
      const script = fileURLToPath(new URL(`./agents/${agent}.ts`, import.meta.url));
      await access(script);
      return spawn(ns, [process.execPath, '--import', 'tsx', script, ...args], { cwd: REPO_ROOT, ...opts });
    },
    onDestroy: (step, fn) => td.push(step, fn),
    destroy: () => td.runOrThrow(),
  };
}
