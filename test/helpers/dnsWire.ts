// A small DNS message encoder for tests and benchmarks: real RFC 1035 wire bytes, with name
// compression (pointers to the longest suffix already written) unless turned off.
import { isIPv4, isIPv6 } from 'node:net';

export interface RecordSpec {
  name: string;
  type: 'A' | 'AAAA' | 'CNAME' | number;
  ttl?: number;
  /** Address text for A/AAAA, a name for CNAME, raw bytes for other types. */
  data: string | Uint8Array;
  cls?: number;
}

export interface MessageSpec {
  id?: number;
  qr?: boolean;
  opcode?: number;
  tc?: boolean;
  rcode?: number;
  question: { name: string; type?: number } | null;
  answers?: RecordSpec[];
  compress?: boolean;
}

const TYPES = { A: 1, AAAA: 28, CNAME: 5 } as const;

function v6Bytes(ip: string): number[] {
  const [head, tail] = ip.includes('::') ? ip.split('::') as [string, string] : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => { const n = parseInt(g, 16); return [n >> 8, n & 255]; });
}

/** Encodes a DNS message (a response by default: QR=1, rcode 0). */
export function encodeDns(m: MessageSpec): Uint8Array {
  const out: number[] = [];
  const seen = new Map<string, number>();
  const compress = m.compress ?? true;
  const u16 = (v: number): void => { out.push((v >> 8) & 255, v & 255); };
  const name = (n: string): void => {
    const labels = n === '' ? [] : n.split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const at = seen.get(suffix);
      if (compress && at !== undefined) { u16(0xc000 | at); return; }
      if (out.length < 0x3fff) seen.set(suffix, out.length);
      const bytes = Buffer.from(labels[i]!, 'latin1');
      out.push(bytes.length, ...bytes);
    }
    out.push(0);
  };
  u16(m.id ?? 0x1234);
  u16(((m.qr ?? true) ? 0x8000 : 0) | ((m.opcode ?? 0) << 11) | (m.tc ? 0x0200 : 0) | 0x0100 | 0x0080 | (m.rcode ?? 0));
  u16(m.question ? 1 : 0);
  u16(m.answers?.length ?? 0);
  u16(0); u16(0);
  if (m.question) { name(m.question.name); u16(m.question.type ?? 1); u16(1); }
  for (const r of m.answers ?? []) {
    name(r.name);
    const type = typeof r.type === 'number' ? r.type : TYPES[r.type];
    u16(type); u16(r.cls ?? 1);
    const ttl = r.ttl ?? 300;
    out.push((ttl >>> 24) & 255, (ttl >>> 16) & 255, (ttl >>> 8) & 255, ttl & 255);
    const lenAt = out.length; u16(0);
    if (typeof r.data !== 'string') out.push(...r.data);
    else if (type === 1 && isIPv4(r.data)) out.push(...r.data.split('.').map(Number));
    else if (type === 28 && isIPv6(r.data)) out.push(...v6Bytes(r.data));
    else name(r.data);
    const len = out.length - lenAt - 2;
    out[lenAt] = len >> 8; out[lenAt + 1] = len & 255;
  }
  return Uint8Array.from(out);
}

/** A typical resolver answer: `name` → addresses (A or AAAA by their text), optionally via CNAMEs. */
export function answerFor(name: string, addresses: readonly string[], o: { cnames?: string[]; ttl?: number; id?: number } = {}): Uint8Array {
  const chain = [name, ...(o.cnames ?? [])];
  const answers: RecordSpec[] = [];
  for (let i = 1; i < chain.length; i++) answers.push({ name: chain[i - 1]!, type: 'CNAME', data: chain[i]!, ttl: o.ttl });
  const owner = chain[chain.length - 1]!;
  for (const a of addresses) answers.push({ name: owner, type: a.includes(':') ? 'AAAA' : 'A', data: a, ttl: o.ttl });
  return encodeDns({ id: o.id, question: { name, type: addresses[0]?.includes(':') ? 28 : 1 }, answers });
}
