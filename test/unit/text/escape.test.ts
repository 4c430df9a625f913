import test from 'ava';
import fc from 'fast-check';
import { forTerminal } from '../../../firmware/src/text/escape.js';

test('ESC sequences, C0, DEL, C1 and bidi overrides become visible escapes', (t) => {
  t.is(forTerminal('\u001b[2J\u001b]0;pwned\u0007'), '\\x1b[2J\\x1b]0;pwned\\x07');
  t.is(forTerminal('a\rb\nc\td\u007f'), 'a\\x0db\\x0ac\\x09d\\x7f');
  t.is(forTerminal('x\u009by'), 'x\\x9by');
  t.is(forTerminal('abc\u202egpj.exe'), 'abc\\u{202e}gpj.exe');
  t.is(forTerminal('\u2066\u200f'), '\\u{2066}\\u{200f}');
});

test('ordinary text, Japanese and HTML-ish hostnames pass unchanged', (t) => {
  t.is(forTerminal('経理のパソコン'), '経理のパソコン');
  t.is(forTerminal('<img src=x onerror=alert(1)>'), '<img src=x onerror=alert(1)>');
});

test('long values are cut and marked', (t) => {
  t.is(forTerminal('a'.repeat(10), 4), 'aaaa…');
});

test('property: output never contains a control, C1 or bidi character', (t) => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]/u.test(forTerminal(s))));
  t.pass();
});
