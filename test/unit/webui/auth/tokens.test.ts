import test from 'ava';
import fc from 'fast-check';
import { assertSecret, checkCsrf, csrfToken, newId, safeEqual, signToken, verifyToken, WeakSecretError } from '../../../../webui/src/auth/tokens.js';

const secret = Buffer.alloc(32, 1);
const other = Buffer.alloc(32, 2);

test('a signed token verifies until it expires', (t) => {
  const id = newId();
  const token = signToken(secret, 'session', id, 1000);
  t.deepEqual(verifyToken(secret, 'session', token, 999), { id, exp: 1000 });
  t.is(verifyToken(secret, 'session', token, 1000), null);
});

test('a token is refused with another secret, another purpose, or any tampering', (t) => {
  const id = newId();
  const token = signToken(secret, 'session', id, 5000);
  t.is(verifyToken(other, 'session', token, 0), null);
  t.is(verifyToken(secret, 'pre', token, 0), null);
  t.is(verifyToken(secret, 'session', token.replace('.5000.', '.9999.'), 0), null);
  t.is(verifyToken(secret, 'session', undefined, 0), null);
  t.is(verifyToken(secret, 'session', 'garbage', 0), null);
});

test('property: changing any one character of a token makes it invalid', (t) => {
  const token = signToken(secret, 'session', newId(), 10_000);
  fc.assert(fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'ABCxyz019-_.'), (i, c) => {
    if (token[i] === c) return true;
    const forged = token.slice(0, i) + c + token.slice(i + 1);
    return verifyToken(secret, 'session', forged, 0) === null;
  }));
  t.pass();
});

test('CSRF tokens are bound to one id', (t) => {
  const a = newId();
  const b = newId();
  t.true(checkCsrf(secret, a, csrfToken(secret, a)));
  t.false(checkCsrf(secret, b, csrfToken(secret, a)));
  t.false(checkCsrf(secret, a, undefined));
  t.false(checkCsrf(secret, a, ['x']));
  t.false(checkCsrf(other, a, csrfToken(secret, a)));
});

test('safeEqual compares exactly; a short secret is refused', (t) => {
  t.true(safeEqual('abc', 'abc'));
  t.false(safeEqual('abc', 'abd'));
  t.false(safeEqual('abc', 'abcd'));
  t.throws(() => assertSecret(Buffer.alloc(16)), { instanceOf: WeakSecretError });
  t.notThrows(() => assertSecret(secret));
});
