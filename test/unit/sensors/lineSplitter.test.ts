import test from 'ava';
import fc from 'fast-check';
import { LineSplitter, TRUNCATED_MARK } from '../../../firmware/src/sensors/lineSplitter.js';

test('lines split across chunks, CRLF trimmed, rest flushed', (t) => {
  const s = new LineSplitter(100);
  t.deepEqual(s.push('ab'), []);
  t.deepEqual(s.push('c\r\nde\nf'), ['abc', 'de']);
  t.deepEqual(s.flush(), ['f']);
});

test('a long line is cut once and its rest skipped across chunks', (t) => {
  const s = new LineSplitter(4);
  t.deepEqual(s.push('123456'), ['1234' + TRUNCATED_MARK]);
  t.deepEqual(s.push('789'), []);
  t.deepEqual(s.push('0\nok\n'), ['ok']);
});

test('property: no emitted line exceeds the bound; short lines survive any chunking', (t) => {
  fc.assert(fc.property(
    fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '\n'), maxLength: 30 }), { maxLength: 10 }),
    (chunks) => {
      const s = new LineSplitter(8);
      const got = [...chunks.flatMap((c) => s.push(c)), ...s.flush()];
      const whole = chunks.join('');
      const expected = whole.split('\n');
      if (expected[expected.length - 1] === '') expected.pop();
      const allShort = expected.every((l) => l.length <= 8);
      return got.every((l) => l.length <= 8 + TRUNCATED_MARK.length) && (!allShort || JSON.stringify(got) === JSON.stringify(expected));
    },
  ));
  t.pass();
});
