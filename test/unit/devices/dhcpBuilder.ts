// Builds DHCPv4 messages byte by byte following the RFC 2131 figure 1 layout and RFC 2132
// option encoding, and wraps them in Ethernet/IPv4/UDP frames and pcap streams for tests.

export interface BuildOptions {
  op?: number;
  htype?: number;
  hlen?: number;
  xid?: number;
  mac?: string;              // "aa:bb:cc:dd:ee:ff"
  cookie?: number | null;    // null: omit the cookie (and options)
  options?: Array<[number, number[] | Uint8Array | string]>;
  raw?: number[];            // raw option bytes appended after the cookie instead of `options`
  end?: boolean;             // append END (default true)
  sname?: number[];          // bytes written at the start of sname
  file?: number[];           // bytes written at the start of file
}

export function macBytes(mac: string): number[] {
  return mac.split(':').map((h) => Number.parseInt(h, 16));
}

export function opt(code: number, value: number[] | Uint8Array | string): number[] {
  const v = typeof value === 'string' ? Array.from(Buffer.from(value, 'utf8')) : Array.from(value);
  return [code, v.length, ...v];
}

export function buildDhcp(o: BuildOptions = {}): Uint8Array {
  const h = new Uint8Array(236);
  h[0] = o.op ?? 1;          // op: BOOTREQUEST
  h[1] = o.htype ?? 1;       // htype: Ethernet
  h[2] = o.hlen ?? 6;        // hlen
  h[3] = 0;                  // hops
  new DataView(h.buffer).setUint32(4, o.xid ?? 0x3903f326); // xid
  // secs(2) flags(2) ciaddr yiaddr siaddr giaddr stay zero
  const mac = macBytes(o.mac ?? '00:11:22:33:44:55');
  h.set(mac, 28);            // chaddr (16 bytes, first 6 used)
  if (o.sname) h.set(o.sname, 44);
  if (o.file) h.set(o.file, 108);
  const bytes: number[] = Array.from(h);
  if (o.cookie === null) return Uint8Array.from(bytes);
  const c = o.cookie ?? 0x63825363;
  bytes.push((c >>> 24) & 255, (c >>> 16) & 255, (c >>> 8) & 255, c & 255);
  if (o.raw) bytes.push(...o.raw);
  else for (const [code, value] of o.options ?? []) bytes.push(...opt(code, value));
  if (o.end ?? true) bytes.push(255);
  return Uint8Array.from(bytes);
}

/** A client request the way a given OS sends it. */
export function clientRequest(p: { mac: string; type?: number; prl: number[]; vendorClass?: string; hostname?: string; clientId?: number[] }): Uint8Array {
  const options: Array<[number, number[] | string]> = [[53, [p.type ?? 1]]];
  if (p.clientId) options.push([61, p.clientId]);
  if (p.hostname !== undefined) options.push([12, p.hostname]);
  if (p.vendorClass !== undefined) options.push([60, p.vendorClass]);
  options.push([55, p.prl]);
  return buildDhcp({ mac: p.mac, options });
}

function csum(b: number[]): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += ((b[i]! << 8) | (b[i + 1] ?? 0));
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return (~s) & 0xffff;
}

/** Ethernet II (optionally one 802.1Q tag) + IPv4 + UDP 68→67 around a payload. */
export function ethIpv4Udp(payload: Uint8Array, p: { src: string; vlan?: number; srcPort?: number; dstPort?: number; proto?: number; fragOffset?: number; srcIp?: string; dstIp?: string }): Uint8Array {
  const udpLen = 8 + payload.length;
  const sp = p.srcPort ?? 68; const dp = p.dstPort ?? 67;
  const udp = [sp >> 8, sp & 255, dp >> 8, dp & 255, udpLen >> 8, udpLen & 255, 0, 0, ...payload];
  const total = 20 + udpLen;
  const fo = p.fragOffset ?? 0;
  const v4 = (a: string | undefined, dflt: number[]): number[] => (a === undefined ? dflt : a.split('.').map(Number));
  const ip = [0x45, 0, total >> 8, total & 255, 0, 1, fo >> 8, fo & 255, 64, p.proto ?? 17, 0, 0, ...v4(p.srcIp, [0, 0, 0, 0]), ...v4(p.dstIp, [255, 255, 255, 255])];
  const ck = csum(ip); ip[10] = ck >> 8; ip[11] = ck & 255;
  const eth = [255, 255, 255, 255, 255, 255, ...macBytes(p.src)];
  if (p.vlan !== undefined) eth.push(0x81, 0x00, (p.vlan >> 8) & 0x0f, p.vlan & 255);
  eth.push(0x08, 0x00);
  return Uint8Array.from([...eth, ...ip, ...udp]);
}

/** A pcap global header + records (microsecond or nanosecond, either byte order). */
export function pcapStream(frames: Array<{ at: number; data: Uint8Array; orig?: number }>, o: { le?: boolean; nano?: boolean; linktype?: number; snaplen?: number } = {}): Uint8Array {
  const le = o.le ?? true;
  const out: number[] = [];
  const u32 = (x: number): void => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, x >>> 0, le); out.push(...b); };
  const u16 = (x: number): void => { const b = new Uint8Array(2); new DataView(b.buffer).setUint16(0, x, le); out.push(...b); };
  u32(o.nano ? 0xa1b23c4d : 0xa1b2c3d4); u16(2); u16(4); u32(0); u32(0); u32(o.snaplen ?? 262144); u32(o.linktype ?? 1);
  for (const f of frames) {
    const sec = Math.floor(f.at / 1000); const ms = f.at % 1000;
    u32(sec); u32(o.nano ? ms * 1e6 : ms * 1000); u32(f.data.length); u32(f.orig ?? f.data.length);
    out.push(...f.data);
  }
  return Uint8Array.from(out);
}
