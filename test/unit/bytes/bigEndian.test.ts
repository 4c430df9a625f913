import test from 'ava';
import { u8, u16, u32 } from '../../../firmware/src/bytes/bigEndian.js';

const b = Uint8Array.of(0xff, 0x01, 0x80, 0x00, 0x7f);

test('reads unsigned big-endian numbers', (t) => {
  t.is(u8(b, 0), 255);
  t.is(u16(b, 0), 0xff01);
  t.is(u32(b, 0), 0xff018000); // no sign: the top bit stays a magnitude
  t.is(u32(b, 1), 0x0180007f);
});

test('bytes past the end read as 0', (t) => {
  t.is(u8(b, 5), 0);
  t.is(u16(b, 4), 0x7f00);
  t.is(u32(b, 3), 0x007f0000);
});
