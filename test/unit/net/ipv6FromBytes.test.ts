import test from 'ava';
import fc from 'fast-check';
import { ipv6FromBytes } from '../../../firmware/src/net/ipText.js';
import { formatAddress } from '../../../firmware/src/net/ip.js';

const big = (b: Uint8Array): bigint => b.reduce((v, x) => (v << 8n) | BigInt(x), 0n);

test('RFC 5952 text, the same as net/ip for everything but the dotted forms', (t) => {
  // Bias towards zero groups so runs and ties happen often.
  const group = fc.oneof(fc.constant([0, 0]), fc.tuple(fc.nat(255), fc.nat(255)));
  fc.assert(fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (gs) => {
    const b = Uint8Array.from(gs.flat());
    const dotted = b.subarray(0, 10).every((x) => x === 0) && ((b[10] === 0 && b[11] === 0 && (b[12] !== 0 || b[13] !== 0)) || (b[10] === 0xff && b[11] === 0xff));
    if (dotted) return;
    if (ipv6FromBytes(b, 0) !== formatAddress(6, big(b))) throw new Error(`${ipv6FromBytes(b, 0)} vs ${formatAddress(6, big(b))}`);
  }), { numRuns: 5000 });
  t.pass();
});

test('mapped and compatible addresses print with a dotted tail, as inet_ntop does', (t) => {
  const b = (tail: number[], ff = false): Uint8Array => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ff ? 255 : 0, ff ? 255 : 0, ...tail]);
  t.is(ipv6FromBytes(b([192, 0, 2, 1], true), 0), '::ffff:192.0.2.1');
  t.is(ipv6FromBytes(b([192, 0, 2, 1]), 0), '::192.0.2.1');
  t.is(ipv6FromBytes(b([0, 0, 0, 1]), 0), '::1');
  t.is(ipv6FromBytes(b([0, 0, 0, 0]), 0), '::');
  t.is(ipv6FromBytes(Uint8Array.from([0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]), 0), '2001:db8::1:0:0:1');
});
