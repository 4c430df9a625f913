// The kernel switches utmd needs for its mode: conntrack accounting and timestamps for
// flow events, and (bridge mode) br_netfilter so the inet table sees bridged traffic with
// conntrack; (router mode) forwarding. Writing goes through sys/sysctl.ts (whitelisted).
import type { Config } from '../config/schema.js';
import { systemBin } from '../sys/bin.js';
import { run } from '../sys/run.js';
import { CONNTRACK_SYSCTLS, setSysctls as writeSysctls } from '../sys/sysctl.js';
import type { Logger } from './log.js';

/** Sets what the mode needs; each failure is logged, not fatal (the conditions show it). */
export async function setSysctls(config: Config, log: Logger): Promise<void> {
  const want: Record<string, string> = { ...CONNTRACK_SYSCTLS };
  if (config.mode !== 'router') {
    // br_netfilter may be a module; once loaded its sysctls exist per network namespace.
    await run([systemBin('modprobe'), 'br_netfilter'], { allowFailure: true, timeoutMs: 10_000 }).catch((e: unknown) =>
      log.warn('modprobe br_netfilter failed', e),
    );
    want['net.bridge.bridge-nf-call-iptables'] = '1';
    want['net.bridge.bridge-nf-call-ip6tables'] = '1';
  } else {
    want['net.ipv4.ip_forward'] = '1';
    want['net.ipv6.conf.all.forwarding'] = '1';
  }
  for (const [k, v] of Object.entries(want)) {
    try {
      await writeSysctls({ [k]: v });
    } catch (e) {
      log.warn(`cannot set ${k}=${v}`, e);
    }
  }
}
