// The kernel switches utmd needs: conntrack accounting and timestamps for flow events,
// and (bridge mode) br_netfilter so the inet table sees bridged traffic with conntrack.
import { writeFile } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import { run } from '../sys/run.js';
import type { Logger } from './log.js';

const SYSCTL_NAME = /^[a-z0-9_]+(\.[a-z0-9_-]+)+$/;

/** Writes one sysctl through /proc/sys; throws on an odd name or a write error. */
export async function writeSysctl(name: string, value: string): Promise<void> {
  if (!SYSCTL_NAME.test(name)) throw new Error(`refusing odd sysctl name ${JSON.stringify(name)}`);
  await writeFile(`/proc/sys/${name.replace(/\./g, '/')}`, value);
}

/** Sets what the mode needs; a failure is logged and left to the conditions, not fatal. */
export async function setSysctls(config: Config, log: Logger): Promise<void> {
  const want: [string, string][] = [
    ['net.netfilter.nf_conntrack_acct', '1'],
    ['net.netfilter.nf_conntrack_timestamp', '1'],
  ];
  if (config.mode !== 'router') {
    // br_netfilter is a module; its sysctls are per network namespace once it is loaded.
    await run(['modprobe', 'br_netfilter'], { allowFailure: true, timeoutMs: 10_000 }).catch((e: unknown) => log.warn('modprobe br_netfilter failed', e));
    want.push(['net.bridge.bridge-nf-call-iptables', '1'], ['net.bridge.bridge-nf-call-ip6tables', '1']);
  } else {
    want.push(['net.ipv4.ip_forward', '1'], ['net.ipv6.conf.all.forwarding', '1']);
  }
  for (const [k, v] of want) {
    try {
      await writeSysctl(k, v);
    } catch (e) {
      log.warn(`cannot set ${k}=${v}`, e);
    }
  }
}
