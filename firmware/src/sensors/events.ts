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

/** One conntrack flow (NFCT through ulogd2, or the open-connection poller), as the kernel
 *  saw it: `src` opened the connection. Addresses in the same normal form as packet events. */
export interface FlowEvent {
  type: 'flow';
  /** Flow end, or the time of receipt for new/update events, ms since epoch. */
  at: number;
  /** conntrack's event: a new connection, an update of an open one, or its end. */
  phase: 'new' | 'update' | 'end';
  ctId: number | undefined;
  family: IpFamily;
  /** IP protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6, ...). */
  protoNum: number;
  src: string;
  dst: string;
  sport: number | undefined;
  dport: number | undefined;
  /** The opener's MAC when the stack reports it (ulogd2 NFCT does not). */
  srcMac: string | undefined;
  /** Bytes and packets in the original and in the reply direction, cumulative. */
  origBytes: number;
  origPkts: number;
  replyBytes: number;
  replyPkts: number;
  /** ms since epoch; `end` equals `start` when conntrack reported no end (new/update). */
  start: number;
  end: number;
}

export type SensorEvent = PacketLogEvent | FlowEvent;
