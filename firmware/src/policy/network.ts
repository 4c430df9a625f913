// Pure: decides mode, ports and office prefixes from the config and the network facts.
import type { Config } from '../config/schema.js';
import type { Interfaces, Mode } from '../nft/policy.js';
import { boxAddresses, ethernetPorts, pickWanPort, prefixesOn, type NetworkFacts } from '../net/topology.js';

export interface NetworkPlan {
  mode: Mode;
  ifaces: Interfaces;
  /** Ports to put in the bridge (bridge mode). */
  bridgePorts: string[];
  lanPrefixes: string[];
  boxAddresses: string[];
  gateways: string[];
  /** Why the WAN port is the one it is. */
  wanReason: string;
  /** Things a technician should know (shown as a condition, never fatal). */
  problems: string[];
}

/** Plans the network. Throws nothing: missing facts become `problems`. */
export function planNetwork(config: Config, facts: NetworkFacts): NetworkPlan {
  const problems: string[] = [];
  const bridge = config.interfaces.bridge;
  const ports = ethernetPorts(facts.links).filter((p) => p !== bridge);
  const mode: Mode = config.mode === 'router' ? 'router' : 'bridge';
  if (config.mode === 'auto' && ports.length < 2) problems.push(`only ${ports.length} Ethernet port(s) found; bridge mode needs two`);

  let wan = config.interfaces.wan;
  let wanReason = 'configured';
  if (!wan) {
    const pick = pickWanPort(ports, facts);
    wan = pick?.wan ?? 'eth0';
    wanReason = pick?.reason ?? 'no ports found';
  }
  const lan = config.interfaces.lan ?? ports.filter((p) => p !== wan);
  if (!lan.length) problems.push('no LAN port');

  const lanIfs = mode === 'bridge' ? [bridge] : lan;
  const lanPrefixes = config.lan.prefixes ?? prefixesOn(facts.addrs, lanIfs);
  if (!lanPrefixes.length) problems.push('no office address range known yet');

  return {
    mode,
    ifaces: mode === 'bridge' ? { wan, lan, bridge } : { wan, lan },
    bridgePorts: mode === 'bridge' ? [wan, ...lan] : [],
    lanPrefixes,
    boxAddresses: boxAddresses(facts.addrs),
    gateways: facts.defaultGateways,
    wanReason,
    problems,
  };
}
