// Turns a captured DHCP frame into an inventory observation: pcap frame → decoded message →
// Observation. Only client messages count; a server's reply describes someone else.
import { decodeDhcp, type DhcpErrorReason } from './dhcp.js';
import { isMulticast } from '../net/mac.js';
import type { Observation } from './model.js';
import type { DhcpFrame } from '../pcap/pcap.js';

// DISCOVER, REQUEST, DECLINE, RELEASE, INFORM (RFC 2132 9.6)
const CLIENT_TYPES = new Set([1, 3, 4, 7, 8]);

export type FrameOutcome =
  | { ok: true; observation: Observation }
  | { ok: false; reason: DhcpErrorReason | 'not_client' | 'bad_mac' };

/** Decodes a frame; vendorOf is the OUI lookup (null for randomised MACs). Never throws. */
export function observationFromFrame(f: DhcpFrame, vendorOf: (mac: string) => string | null): FrameOutcome {
  const r = decodeDhcp(f.payload);
  if (!r.ok) return r;
  const m = r.message;
  if (m.op !== 1 || m.messageType === null || !CLIENT_TYPES.has(m.messageType)) return { ok: false, reason: 'not_client' };
  // chaddr names the client even when a relay forwarded the packet; fall back to the frame.
  const mac = m.chaddr ?? f.srcMac;
  if (isMulticast(mac) || mac === '00:00:00:00:00:00') return { ok: false, reason: 'bad_mac' };
  const ipv4 = m.ciaddr !== '0.0.0.0' ? m.ciaddr : f.srcIp !== '0.0.0.0' && f.srcIp.includes('.') ? f.srcIp : undefined;
  return {
    ok: true,
    observation: {
      mac, at: f.at, source: 'dhcp', ipv4, vendor: vendorOf(mac),
      dhcp: { hostname: m.hostname ?? m.fqdn?.name ?? null, prl: m.prl, vendorClass: m.vendorClass, clientId: m.clientId, xid: m.xid },
    },
  };
}
