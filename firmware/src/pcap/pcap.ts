// Pure incremental reader of a pcap byte stream as `tcpdump -U -w -` writes it, reduced to
// UDP payloads on chosen ports with the sender's MAC and the capture time: DHCP (67/68) for
// device discovery, DNS answers (53) for the traffic feature's name sensor. Chunks may split anywhere. Memory is bounded; a corrupt record is counted and the
// reader resynchronises on the next plausible record header.
import { u16, u32, u8 } from '../bytes/bigEndian.js';
import { ipv6FromBytes } from '../net/ipText.js';
import { macFromBytes } from '../net/mac.js';

export const LINKTYPE = { EN10MB: 1, LINUX_SLL: 113, LINUX_SLL2: 276 } as const;
const MAX_RECORD = 262_144; // tcpdump's default snaplen; nothing larger is legitimate
const GLOBAL_LEN = 24;
const RECORD_LEN = 16;

/** One captured UDP datagram (DHCP for device discovery, DNS answers for the name sensor). */
export interface UdpFrame {
  at: number;           // capture time, ms since epoch
  srcMac: string;       // link-layer sender (for SLL: the captured address, if 6 bytes)
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  vlan: number | null;  // one 802.1Q/802.1ad tag
  payload: Uint8Array;  // UDP payload (a copy; safe to keep)
  /** LINUX_SLL2 only (`tcpdump -i any`): the interface index the packet was seen on. */
  ifindex?: number;
  /** LINUX_SLL2 only: the box sent it (packet type OUTGOING) rather than received it. */
  outgoing?: boolean;
}

export type DhcpFrame = UdpFrame;

export interface PcapCounters {
  records: number;
  frames: number;        // UDP frames on the chosen ports yielded
  skipped: number;       // records that were not UDP on the chosen ports over IPv4/IPv6
  truncated: number;     // records cut by snaplen or shorter than their headers claim
  corrupt: number;       // implausible record headers (each triggers a resync)
  resyncBytes: number;   // bytes skipped while resynchronising
  overflows: number;     // buffer limit hit: buffer dropped
  badHeader: number;     // unusable global header (stream reset)
}

export interface PcapParser {
  /** Feeds the next chunk; returns the UDP frames completed by it. Never throws. */
  push(chunk: Uint8Array): UdpFrame[];
  counters(): Readonly<PcapCounters>;
  linktype(): number | null;
}

export interface PcapOptions {
  /** Largest amount of unparsed data kept between pushes (default 1 MiB). */
  maxBuffer?: number;
  ports?: readonly number[];
}

interface Header { le: boolean; nano: boolean; snaplen: number; linktype: number }

function readHeader(b: Uint8Array): Header | null {
  const v = new DataView(b.buffer, b.byteOffset, GLOBAL_LEN);
  const magicBE = v.getUint32(0, false);
  let le: boolean; let nano: boolean;
  if (magicBE === 0xa1b2c3d4) { le = false; nano = false; }
  else if (magicBE === 0xa1b23c4d) { le = false; nano = true; }
  else if (magicBE === 0xd4c3b2a1) { le = true; nano = false; }
  else if (magicBE === 0x4d3cb2a1) { le = true; nano = true; }
  else return null;
  const snaplen = v.getUint32(16, le);
  const linktype = v.getUint32(20, le) & 0x0fffffff; // upper bits: FCS info
  if (linktype !== LINKTYPE.EN10MB && linktype !== LINKTYPE.LINUX_SLL && linktype !== LINKTYPE.LINUX_SLL2) return null;
  return { le, nano, snaplen: snaplen === 0 || snaplen > MAX_RECORD ? MAX_RECORD : snaplen, linktype };
}

/** Creates a parser with its own buffer and counters (no shared state). */
export function createPcapParser(opts: PcapOptions = {}): PcapParser {
  const maxBuffer = opts.maxBuffer ?? 1 << 20;
  const ports = new Set(opts.ports ?? [67, 68]);
  const c: PcapCounters = { records: 0, frames: 0, skipped: 0, truncated: 0, corrupt: 0, resyncBytes: 0, overflows: 0, badHeader: 0 };
  let header: Header | null = null;
  let buf = new Uint8Array(0);
  let lastSec = -1;
  let resyncing = false;

  function plausible(v: DataView, off: number, h: Header): { incl: number; orig: number } | null {
    const sec = v.getUint32(off, h.le);
    const frac = v.getUint32(off + 4, h.le);
    const incl = v.getUint32(off + 8, h.le);
    const orig = v.getUint32(off + 12, h.le);
    if (incl > h.snaplen || incl > orig || orig > 0x40000) return null;
    if (frac >= (h.nano ? 1e9 : 1e6)) return null;
    // After the first record, time moves forward and by less than a day between records.
    if (lastSec >= 0 && (sec + 60 < lastSec || sec > lastSec + 86_400)) return null;
    return { incl, orig };
  }

  function push(chunk: Uint8Array): DhcpFrame[] {
    const out: DhcpFrame[] = [];
    if (buf.length + chunk.length > maxBuffer + MAX_RECORD + RECORD_LEN) {
      c.overflows++;
      buf = new Uint8Array(0);
      if (chunk.length > maxBuffer) return out;
    }
    const joined = new Uint8Array(buf.length + chunk.length);
    joined.set(buf, 0); joined.set(chunk, buf.length);
    let off = 0;
    if (header === null) {
      if (joined.length < GLOBAL_LEN) { buf = joined; return out; }
      header = readHeader(joined);
      if (header === null) { c.badHeader++; buf = new Uint8Array(0); return out; }
      off = GLOBAL_LEN;
    }
    const h = header;
    const v = new DataView(joined.buffer, joined.byteOffset, joined.byteLength);
    while (joined.length - off >= RECORD_LEN) {
      const rec = plausible(v, off, h);
      if (rec === null) {
        if (!resyncing) { c.corrupt++; resyncing = true; }
        off++; c.resyncBytes++;
        continue;
      }
      if (joined.length - off - RECORD_LEN < rec.incl) break; // wait for the rest
      resyncing = false;
      const sec = v.getUint32(off, h.le);
      const frac = v.getUint32(off + 4, h.le);
      const at = sec * 1000 + (h.nano ? Math.floor(frac / 1e6) : Math.floor(frac / 1e3));
      lastSec = sec;
      c.records++;
      if (rec.incl < rec.orig) c.truncated++;
      else {
        const f = decodeFrame(joined.subarray(off + RECORD_LEN, off + RECORD_LEN + rec.incl), h.linktype, at, ports, c);
        if (f) { out.push(f); c.frames++; }
      }
      off += RECORD_LEN + rec.incl;
    }
    buf = joined.slice(off);
    return out;
  }

  return { push, counters: () => ({ ...c }), linktype: () => header?.linktype ?? null };
}

function ip4(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** Decodes link layer → IP → UDP; returns a frame for UDP to/from the given ports. */
export function decodeFrame(p: Uint8Array, linktype: number, at: number, ports: ReadonlySet<number>, c?: PcapCounters): DhcpFrame | null {
  let srcMac: string | null = null;
  let et: number; let off: number; let vlan: number | null = null;
  let sll2: { ifindex: number; outgoing: boolean } | null = null;
  const skip = (): null => { if (c) c.skipped++; return null; };
  const short = (): null => { if (c) c.truncated++; return null; };
  if (linktype === LINKTYPE.EN10MB) {
    if (p.length < 14) return short();
    srcMac = macFromBytes(p, 6);
    et = u16(p, 12); off = 14;
    if (et === 0x8100 || et === 0x88a8) {
      if (p.length < 18) return short();
      vlan = u16(p, 14) & 0x0fff;
      et = u16(p, 16); off = 18;
    }
  } else if (linktype === LINKTYPE.LINUX_SLL) {
    if (p.length < 16) return short();
    const alen = u16(p, 4);
    if (alen === 6) srcMac = macFromBytes(p, 6);
    et = u16(p, 14); off = 16;
  } else if (linktype === LINKTYPE.LINUX_SLL2) {
    if (p.length < 20) return short();
    if (p[11] === 6) srcMac = macFromBytes(p, 12);
    et = u16(p, 0); off = 20;
    sll2 = { ifindex: u32(p, 4), outgoing: p[10] === 4 };
  } else return skip();
  if (srcMac === null) return skip();

  let udp: number; let srcIp: string; let dstIp: string; let end: number;
  if (et === 0x0800) {
    if (p.length < off + 20) return short();
    const ihl = (u8(p, off) & 0x0f) * 4;
    if (u8(p, off) >> 4 !== 4 || ihl < 20) return skip();
    if (p[off + 9] !== 17) return skip();
    const frag = u16(p, off + 6) & 0x3fff; // MF flag + offset
    if (frag !== 0) return skip(); // DHCP is never fragmented in practice; do not reassemble
    const total = u16(p, off + 2);
    if (total < ihl + 8 || p.length < off + total) return short();
    srcIp = ip4(p, off + 12); dstIp = ip4(p, off + 16);
    udp = off + ihl; end = off + total;
  } else if (et === 0x86dd) {
    if (p.length < off + 40) return short();
    if (p[off + 6] !== 17) return skip(); // extension headers are not followed
    const plen = u16(p, off + 4);
    if (p.length < off + 40 + plen || plen < 8) return short();
    srcIp = ipv6FromBytes(p, off + 8); dstIp = ipv6FromBytes(p, off + 24);
    udp = off + 40; end = off + 40 + plen;
  } else return skip();

  const srcPort = u16(p, udp);
  const dstPort = u16(p, udp + 2);
  const ulen = u16(p, udp + 4);
  if (!ports.has(srcPort) && !ports.has(dstPort)) return skip();
  if (ulen < 8 || udp + ulen > end) return short();
  const frame: UdpFrame = { at, srcMac, srcIp, dstIp, srcPort, dstPort, vlan, payload: p.slice(udp + 8, udp + ulen) };
  if (sll2) { frame.ifindex = sll2.ifindex; frame.outgoing = sll2.outgoing; }
  return frame;
}
