// Typed events the sensors hand to the event bus. Adapters turn outside bytes (ulogd2 JSON
// datagrams, pcap, ...) into these; detectors consume them and never see raw input.

/** IP version of an event's addresses. */
export type IpFamily = 4 | 6;

/** Transport protocol: a name for the ones we handle, else the IP protocol number. */
export type L4Proto = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | number;

/** One packet logged by an nftables `log ... group N` rule (NFLOG through ulogd2). */
export interface PacketLogEvent {
  type: 'packet';
  /** Kernel timestamp of the packet (ms since epoch); time of receipt when absent. */
  at: number;
  /** The rule's log prefix, e.g. "utm:block-out". */
  prefix: string;
  family: IpFamily;
  proto: L4Proto;
  /** Normalised text form (dotted quad / RFC 5952). */
  srcIp: string;
  dstIp: string;
  srcPort?: number | undefined;
  dstPort?: number | undefined;
  /** Lower-case aa:bb:cc:dd:ee:ff; absent for locally generated packets. */
  srcMac?: string | undefined;
  inIf?: string | undefined;
  outIf?: string | undefined;
}

/**
 * Placeholder for conntrack flow events (NFCT through ulogd2). The detectors work replaces
 * `record` with a typed flow record; until then it carries the validated flat datagram.
 */
export interface FlowEvent {
  type: 'flow';
  /** Flow end (or event) time, ms since epoch. */
  at: number;
  /** ulogd2 `ct.event`: 1 new, 2 update, 4 destroy. */
  ctEvent: number;
  /** Flat copy of the datagram: primitive values only, keys and strings length-limited. */
  record: Readonly<Record<string, string | number>>;
}

export type SensorEvent = PacketLogEvent | FlowEvent;
