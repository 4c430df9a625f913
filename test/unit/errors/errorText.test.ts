import test from 'ava';
import { errnoCode, errorMessage } from '../../../firmware/src/errors/errorText.js';

test('errorMessage reads an Error, a message-bearing object, and anything else as text', (t) => {
  t.is(errorMessage(new Error('disk full')), 'disk full');
  t.is(errorMessage({ message: 'from a library' }), 'from a library');
  t.is(errorMessage('plain'), 'plain');
  t.is(errorMessage(42), '42');
  t.is(errorMessage(null), 'null');
  t.is(errorMessage({ message: 7 }), '[object Object]');
});

test('errnoCode reads a string code only', (t) => {
  const e = Object.assign(new Error('nope'), { code: 'ENOENT' });
  t.is(errnoCode(e), 'ENOENT');
  t.is(errnoCode(new Error('no code')), undefined);
  t.is(errnoCode({ code: 2 }), undefined);
  t.is(errnoCode(undefined), undefined);
});
