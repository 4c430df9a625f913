// readAddress is parseAddress without the throw (issue 13: one strict parser): the same
// accepted texts, the same reasons, and formatAddress's canonical text with the family.
import test from 'ava';
import fc from 'fast-check';
import { formatAddress, IpParseError, parseAddress, readAddress } from '../../../firmware/src/net/ip.js';
import { IpAddress } from '../../../firmware/src/config/fields.js';

const addressish = fc.oneof(
  fc.ipV4(), fc.ipV6(), fc.ipV4Extended(),
  fc.string({ unit: fc.constantFrom('0', '1', '9', 'f', 'F', ':', '.', '/', '-', '%', ' '), maxLength: 45 }),
  fc.ipV4().map((a) => `::ffff:${a}`),
);

/** What parseAddress says of `s`: the reading or the reason it throws. */
function viaParse(s: string): unknown {
  try {
    const a = parseAddress(s);
    return { ok: true, family: a.family, value: a.value, text: formatAddress(a.family, a.value) };
  } catch (e) {
    if (e instanceof IpParseError) return { ok: false, reason: e.reason };
    throw e;
  }
}

test('property: readAddress agrees with parseAddress, reason included', (t) => {
  fc.assert(fc.property(addressish, (s) => { t.deepEqual(readAddress(s), viaParse(s)); }), { numRuns: 5000 });
});

test('readAddress: canonical text and family, or the reason', (t) => {
  t.deepEqual(readAddress('2001:DB8:0:0::1'), { ok: true, family: 6, value: 0x20010db8000000000000000000000001n, text: '2001:db8::1' });
  t.deepEqual(readAddress('192.0.2.1'), { ok: true, family: 4, value: 0xc0000201n, text: '192.0.2.1' });
  t.deepEqual(readAddress('010.0.0.1'), { ok: false, reason: 'leading_zero' });
  t.deepEqual(readAddress('::ffff:192.0.2.1'), { ok: false, reason: 'mapped_ipv4' });
  t.deepEqual(readAddress(''), { ok: false, reason: 'empty' });
});

test('config IpAddress: trimmed, canonical, and the parser\'s reason in the message', (t) => {
  t.is(IpAddress.parse(' 2001:DB8::0:1 '), '2001:db8::1');
  const r = IpAddress.safeParse('192.168.001.1');
  t.false(r.success);
  t.regex(r.error?.issues[0]?.message ?? '', /^an IPv4 or IPv6 address \(leading_zero\)$/);
  t.regex(IpAddress.safeParse('fe80::1%eth0').error?.issues[0]?.message ?? '', /\(zone_id\)/);
});
