// Low-level adapter over iproute2 for the lab: namespaces, links, addresses, routes and
// sysctls inside namespaces we create, processes run inside them, and the ownership
// markers under /run/utm-lab/ that let cleanupStale() remove what a killed lab left behind.
// Everything runs with argv arrays; nothing here touches the host's own namespace config.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { waitFor } from './poll.js';
import { spawnProcess, type LabProcess, type SpawnOptions } from './process.js';
import { run, runResult, type RunOptions, type RunResult } from './run.js';

/** Every namespace the lab creates starts with this, so leftovers can be found. */
export const LAB_PREFIX = 'utm-lab-';
/** Owner markers and per-lab scratch directories (unix sockets, configs, logs). */
export const LAB_RUN_DIR = '/run/utm-lab';

/** A short random lab id (6 hex chars) that keeps names unique across concurrent labs. */
export function newLabId(): string {
  return randomBytes(3).toString('hex');
}

/** The namespace name for a role in a lab, e.g. `utm-1a2b3c-box`. */
export function nsName(labId: string, role: string): string {
  return `${LAB_PREFIX}${labId}-${role}`;
}

/** The lab id inside a namespace name we created, or undefined for foreign namespaces. */
export function labIdOf(ns: string): string | undefined {
  return /^utm-lab-([0-9a-f]{6})-[a-z0-9]+$/.exec(ns)?.[1];
}

/** Runs `ip ARGS` on the host; throws CommandError. */
export function ip(args: readonly string[], opts?: RunOptions): Promise<string> {
  return run(['ip', ...args], opts);
}

/** Runs `ip -n NS ARGS`; throws CommandError. */
export function ipIn(ns: string, args: readonly string[], opts?: RunOptions): Promise<string> {
  return run(['ip', '-n', ns, ...args], opts);
}

/** Runs argv inside namespace ns and returns stdout; throws CommandError on non-zero exit. */
export function execIn(ns: string, argv: readonly string[], opts?: RunOptions): Promise<string> {
  return run(['ip', 'netns', 'exec', ns, ...argv], opts);
}

/** Runs argv inside ns and returns exit code and output; throws only when it cannot run. */
export function execInResult(ns: string, argv: readonly string[], opts?: RunOptions): Promise<RunResult> {
  return runResult(['ip', 'netns', 'exec', ns, ...argv], opts);
}

/** Starts a long-running argv inside ns in its own process group; throws SpawnError. */
export function spawnIn(ns: string, argv: readonly string[], opts?: SpawnOptions): Promise<LabProcess> {
  return spawnProcess(['ip', 'netns', 'exec', ns, ...argv], opts);
}

/** Names of all network namespaces on the host. */
export async function listNamespaces(): Promise<string[]> {
  const out = await ip(['netns', 'list']);
  return out.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((n) => n !== '');
}

/** Creates ns with loopback up and IPv6 DAD off (addresses usable at once); throws CommandError. */
export async function addNamespace(ns: string): Promise<void> {
  await ip(['netns', 'add', ns]);
  await ipIn(ns, ['link', 'set', 'dev', 'lo', 'up']);
  await setSysctl(ns, 'net.ipv6.conf.all.accept_dad', '0');
  await setSysctl(ns, 'net.ipv6.conf.default.accept_dad', '0');
}

/** Pids of processes whose network namespace is ns. */
export async function namespacePids(ns: string): Promise<number[]> {
  const out = await ip(['netns', 'pids', ns]);
  return out.split('\n').map((l) => Number.parseInt(l, 10)).filter((n) => Number.isInteger(n) && n > 0);
}

/** Kills every process inside ns, then deletes it (its links go with it); false when it was already gone. Throws on failure. */
export async function deleteNamespace(ns: string): Promise<boolean> {
  if (!(await listNamespaces()).includes(ns)) return false;
  for (const pid of await namespacePids(ns)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }
  await waitFor(async () => (await namespacePids(ns)).length === 0, { what: `processes in ${ns} to exit`, timeoutMs: 30_000 });
  try {
    await ip(['netns', 'del', ns]);
    return true;
  } catch (e) {
    // Two cleanupStale() calls (or an owner's own teardown) may race for the same namespace: gone is gone.
    if ((await listNamespaces()).includes(ns)) throw e;
    return false;
  }
}

/** Sets a sysctl inside ns (e.g. net.ipv4.ip_forward=1); throws CommandError. */
export async function setSysctl(ns: string, key: string, value: string): Promise<void> {
  await execIn(ns, ['sysctl', '-q', '-w', `${key}=${value}`]);
}

/** Creates a veth pair with one end in nsA named nameA and the other in nsB named nameB, both up. */
export async function addVeth(nsA: string, nameA: string, nsB: string, nameB: string): Promise<void> {
  checkIfName(nameA);
  checkIfName(nameB);
  await ipIn(nsA, ['link', 'add', nameA, 'type', 'veth', 'peer', 'name', nameB, 'netns', nsB]);
  await ipIn(nsA, ['link', 'set', 'dev', nameA, 'up']);
  await ipIn(nsB, ['link', 'set', 'dev', nameB, 'up']);
}

/** Creates a bridge (STP off, no forwarding delay) inside ns, up. */
export async function addBridge(ns: string, name: string): Promise<void> {
  checkIfName(name);
  await ipIn(ns, ['link', 'add', name, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
  await ipIn(ns, ['link', 'set', 'dev', name, 'up']);
}

/**
 * Creates a stand-in for a dummy interface inside ns, up. The dummy module is not
 * available on every kernel we run on, so this is a veth pair whose peer (`NAMEp`) stays
 * in the same namespace without addresses: local addresses on `name` work the same way.
 */
export async function addDummy(ns: string, name: string): Promise<void> {
  checkIfName(`${name}p`);
  await ipIn(ns, ['link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`]);
  await ipIn(ns, ['link', 'set', 'dev', `${name}p`, 'up']);
  await ipIn(ns, ['link', 'set', 'dev', name, 'up']);
}

/**
 * Sets the MAC address of ifname inside ns while the link stays up (veth allows it), so
 * routes and IPv6 addresses survive; throws RangeError on a malformed MAC.
 */
export async function setMac(ns: string, ifname: string, mac: string): Promise<void> {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) throw new RangeError(`bad MAC ${JSON.stringify(mac)}`);
  await ipIn(ns, ['link', 'set', 'dev', ifname, 'address', mac]);
}

/** Makes every address of prefix local to ns (AnyIP), so a wildcard listener answers for all of them. */
export async function addLocalPrefix(ns: string, prefix: string): Promise<void> {
  await ipIn(ns, [prefix.includes(':') ? '-6' : '-4', 'route', 'add', 'local', prefix, 'dev', 'lo']);
}

/** Enslaves ifname to bridge inside ns. */
export async function setMaster(ns: string, ifname: string, bridge: string): Promise<void> {
  await ipIn(ns, ['link', 'set', 'dev', ifname, 'master', bridge]);
}

/** Adds an address in CIDR form (IPv6 without duplicate address detection). */
export async function addAddress(ns: string, ifname: string, cidr: string): Promise<void> {
  await ipIn(ns, ['addr', 'add', cidr, 'dev', ifname, ...(cidr.includes(':') ? ['nodad'] : [])]);
}

/** Adds a route (dest may be `default`) via a gateway, inside ns. */
export async function addRoute(ns: string, dest: string, via: string, family: 4 | 6): Promise<void> {
  await ipIn(ns, [family === 6 ? '-6' : '-4', 'route', 'add', dest, 'via', via]);
}

/** The MAC address of ifname inside ns. */
export async function macOf(ns: string, ifname: string): Promise<string> {
  const out = await ipIn(ns, ['-j', 'link', 'show', 'dev', ifname]);
  const parsed = z.array(z.object({ address: z.string() })).parse(JSON.parse(out));
  const mac = parsed[0]?.address;
  if (mac === undefined) throw new Error(`no link ${ifname} in ${ns}`);
  return mac;
}

/** Throws RangeError unless name is a valid Linux interface name (1–15 chars, no / or space). */
export function checkIfName(name: string): void {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name)) throw new RangeError(`bad interface name ${JSON.stringify(name)}`);
}

// ---- ownership markers -------------------------------------------------------------

const MarkerSchema = z.strictObject({
  labId: z.string().describe('the lab id in every namespace name of the lab'),
  pid: z.number().int().describe('pid of the process that owns the lab'),
  startTime: z.string().describe('/proc/PID/stat start time of the owner, so a reused pid is not mistaken for it'),
  createdAt: z.string().describe('ISO time the lab was created'),
});
type Marker = z.infer<typeof MarkerSchema>;

/** The kernel start time of pid (field 22 of /proc/PID/stat), or undefined when it is gone. */
async function processStartTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces and parentheses: split after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The per-lab scratch directory (created on demand by the caller). */
export function labDir(labId: string): string {
  return join(LAB_RUN_DIR, labId);
}

/** Records that this process owns labId; call before creating its namespaces. */
export async function writeOwnerMarker(labId: string): Promise<void> {
  await mkdir(labDir(labId), { recursive: true });
  const marker: Marker = {
    labId,
    pid: process.pid,
    startTime: (await processStartTime(process.pid)) ?? '',
    createdAt: new Date().toISOString(),
  };
  // Written whole, then renamed into place: a cleanup running at this moment reads either no
  // marker or a complete one, never a half-written file it would take for a dead owner's.
  const file = join(LAB_RUN_DIR, `${labId}.json`);
  await writeFile(`${file}.${process.pid}.tmp`, JSON.stringify(marker));
  await rename(`${file}.${process.pid}.tmp`, file);
}

/** Removes the marker and scratch directory of labId. */
export async function removeOwnerMarker(labId: string): Promise<void> {
  await rm(join(LAB_RUN_DIR, `${labId}.json`), { force: true });
  await rm(labDir(labId), { recursive: true, force: true });
}

async function ownerAlive(labId: string): Promise<boolean> {
  let marker: Marker;
  try {
    marker = MarkerSchema.parse(JSON.parse(await readFile(join(LAB_RUN_DIR, `${labId}.json`), 'utf8')));
  } catch (e) {
    // No marker (or an unreadable one): nobody can claim the lab, so it is stale.
    if (e instanceof Error) return false;
    throw e;
  }
  return (await processStartTime(marker.pid)) === marker.startTime;
}

/**
 * Removes namespaces (with their processes and links), markers and scratch dirs of labs whose
 * owner process is gone. Labs of live owners are left alone. Returns the namespaces removed.
 */
export async function cleanupStale(): Promise<string[]> {
  const removed: string[] = [];
  const byLab = new Map<string, string[]>();
  for (const ns of await listNamespaces()) {
    const id = labIdOf(ns);
    if (id !== undefined) byLab.set(id, [...(byLab.get(id) ?? []), ns]);
  }
  let markers: string[] = [];
  try {
    markers = (await readdir(LAB_RUN_DIR)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  for (const id of new Set([...byLab.keys(), ...markers])) {
    if (await ownerAlive(id)) continue;
    for (const ns of byLab.get(id) ?? []) {
      if (await deleteNamespace(ns)) removed.push(ns);
    }
    removed.push(...await releaseMounts(labDir(id)));
    await removeOwnerMarker(id);
  }
  return removed;
}

/** Unmounts what a lab mounted under its dir (the robustness tests' tmpfs and loop-mounted
 *  state dirs), deepest first, and detaches the loop devices backed by files there. */
async function releaseMounts(dir: string): Promise<string[]> {
  const released: string[] = [];
  const mounts = (await readFile('/proc/mounts', 'utf8')).split('\n').map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
  for (const m of mounts) if ((await runResult(['umount', '-l', m])).code === 0) released.push(`mount ${m}`);
  let loops: string[] = [];
  try {
    loops = (await readdir('/sys/block')).filter((d) => d.startsWith('loop'));
  } catch {
    return released;
  }
  for (const loop of loops) {
    const backing = await readFile(`/sys/block/${loop}/loop/backing_file`, 'utf8').catch(() => '');
    if (backing.startsWith(`${dir}/`) && (await runResult(['losetup', '-d', `/dev/${loop}`])).code === 0) released.push(`/dev/${loop}`);
  }
  return released;
}
