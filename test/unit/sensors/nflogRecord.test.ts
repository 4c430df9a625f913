import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { formatAddress, isValidAddress, parseAddress, readAddress } from '../../../firmware/src/net/ip.js';
import { isCanonicalIpv4, normalizeIp } from '../../../firmware/src/net/ipText.js';

/** net/ip's one strict parser, in normalizeIp's shape: the oracle for its fast paths. */
const viaLibrary = (s: string): { ip: string; family: 4 | 6 } | undefined => {
  const r = readAddress(s);
  return r.ok ? { ip: r.text, family: r.family } : undefined;
};
import { NflogRecordSchema } from '../../../firmware/src/sensors/nflog.js';
import { readNflogRecord } from '../../../firmware/src/sensors/nflogRecord.js';

const records = readFileSync(new URL('../../fixtures/ulogd/nflog-packets.jsonl', import.meta.url), 'utf8')
  .split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
const fields = ['oob.prefix', 'oob.family', 'oob.protocol', 'oob.time.sec', 'oob.time.usec', 'ip.protocol',
  'src_ip', 'dest_ip', 'src_port', 'dest_port', 'mac.saddr.str', 'oob.in', 'oob.out'];
const edgy = fc.oneof(
  fc.jsonValue(), fc.constant(undefined), fc.integer({ min: -2, max: 70000 }), fc.double(),
  fc.constantFrom(0xffffffff, 0x100000000, 999_999, 1_000_000, 255, 256, 65535, 65536, Number.MAX_SAFE_INTEGER + 2),
  fc.string({ maxLength: 140 }),
);

test('property: the fast reader accepts exactly what NflogRecordSchema accepts', (t) => {
  fc.assert(fc.property(fc.constantFrom(...records), fc.array(fc.tuple(fc.constantFrom(...fields), edgy), { maxLength: 3 }), (base, patches) => {
    const o: Record<string, unknown> = { ...base };
    for (const [k, v] of patches) { if (v === undefined) delete o[k]; else o[k] = v; }
    return readNflogRecord(o).ok === NflogRecordSchema.safeParse(o).success;
  }), { numRuns: 3000 });
  t.pass();
});

const v4ish = fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.', 'a', ' '), maxLength: 17 });
const oracle = (s: string): boolean => {
  if (!isValidAddress(s) || s.includes(':')) return false;
  const a = parseAddress(s);
  return formatAddress(a.family, a.value) === s;
};

test('property: the IPv4 fast path agrees with net/ip', (t) => {
  fc.assert(fc.property(fc.oneof(v4ish, fc.ipV4().map(String)), (s) => isCanonicalIpv4(s) === oracle(s)), { numRuns: 20000 });
  for (const s of ['0.0.0.0', '255.255.255.255', '192.0.2.1']) t.true(isCanonicalIpv4(s));
  for (const s of ['01.0.0.0', '256.0.0.1', '1.2.3', '1.2.3.4.', '.1.2.3', '1..2.3', '1.2.3.4 ']) t.false(isCanonicalIpv4(s), s);
});

test('normalizeIp: IPv6 normalised to RFC 5952; mapped IPv4 and zone ids refused', (t) => {
  t.deepEqual(normalizeIp('2001:DB8::0:1'), { ip: '2001:db8::1', family: 6 });
  t.is(normalizeIp('::ffff:192.0.2.1'), undefined);
  t.is(normalizeIp('fe80::1%v0'), undefined);
});

const v6ish = fc.oneof(
  fc.ipV6(),
  fc.string({ unit: fc.constantFrom('0', '1', 'f', 'F', ':', ':', '.', '2', '5', 'g', '%'), maxLength: 46 }),
  fc.ipV4().map((a) => `::ffff:${a}`), fc.ipV4().map((a) => `64:ff9b::${a}`), fc.ipV4().map((a) => `::${a}`),
);

test('property: normalizeIp (both families) agrees with net/ip\'s readAddress, family included', (t) => {
  fc.assert(fc.property(fc.oneof(v4ish, v6ish, fc.ipV4().map(String), fc.string({ maxLength: 46 })), (s) => { t.deepEqual(normalizeIp(s), viaLibrary(s)); }), { numRuns: 20000 });
});

test('property: the IPv6 fast path agrees with net/ip (value and refusal)', (t) => {
  fc.assert(fc.property(v6ish, (s) => JSON.stringify(normalizeIp(s)) === JSON.stringify(viaLibrary(s))), { numRuns: 30000 });
  for (const s of ['::', '::1', '1::', '2001:db8:0:0:1:0:0:1', '1:2:3:4:5:6:7:8', '::ffff:0:1', '1:2:3:4:5:6:1.2.3.4']) {
    t.deepEqual(normalizeIp(s), viaLibrary(s), s);
  }
});
