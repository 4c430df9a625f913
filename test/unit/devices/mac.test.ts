import test from 'ava';
import fc from 'fast-check';
import { createOuiLookup } from '../../../firmware/src/devices/mac.js';
import { buildOuiIndex } from '../../../firmware/src/devices/ouiIndex.js';
import { isLocallyAdministered, isMulticast, normaliseMac } from '../../../firmware/src/net/mac.js';

test('normaliseMac accepts common spellings and rejects the rest', (t) => {
  for (const s of ['AA:BB:CC:DD:EE:FF', 'aa-bb-cc-dd-ee-ff', 'aabb.ccdd.eeff', 'AABBCCDDEEFF', ' aa:bb:cc:dd:ee:ff ']) t.is(normaliseMac(s), 'aa:bb:cc:dd:ee:ff', s);
  t.is(normaliseMac('a:b:c:d:e:f'), '0a:0b:0c:0d:0e:0f');
  for (const s of ['', 'aa:bb:cc:dd:ee', 'gg:bb:cc:dd:ee:ff', 'aa:bb:cc:dd:ee:ff:00', '<script>', 'x'.repeat(100)]) t.is(normaliseMac(s), null, s);
});

test('property: normalising a normalised MAC is the identity', (t) => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (b) => {
    const m = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
    return normaliseMac(m) === m && normaliseMac(m.toUpperCase().replace(/:/g, '-')) === m;
  }));
  t.pass();
});

test('locally administered and multicast bits', (t) => {
  t.true(isLocallyAdministered('02:00:00:00:00:01'));
  t.true(isLocallyAdministered('da:a1:19:00:00:01'));
  t.false(isLocallyAdministered('f0:d1:a9:00:00:01'));
  t.true(isMulticast('01:00:5e:00:00:fb'));
  t.false(isMulticast('00:11:32:00:00:01'));
});

test('vendorOf reads the registry once, lazily, longest prefix first; random MACs have no vendor', (t) => {
  let loads = 0;
  const registry = { F0D1A9: 'Apple, Inc.\n1 Infinite Loop', '70B3D51': 'Short Block Ltd\nx', '70B3D5123': 'Tiny Block Ltd\ny', '000001': ' \nno name' };
  const lookup = createOuiLookup(() => { loads++; return buildOuiIndex(Buffer.from(JSON.stringify(registry))); });
  t.false(lookup.loaded());
  t.is(lookup.vendorOf('02:d1:a9:00:00:01'), null);
  t.is(loads, 0);
  t.is(lookup.vendorOf('f0:d1:a9:12:34:56'), 'Apple, Inc.');
  t.is(lookup.vendorOf('70:b3:d5:12:34:56'), 'Tiny Block Ltd');
  t.is(lookup.vendorOf('70:b3:d5:19:99:99'), 'Short Block Ltd');
  t.is(lookup.vendorOf('00:00:5e:00:53:01'), null);
  t.is(lookup.vendorOf('00:00:01:00:00:01'), null, 'registered without a name');
  t.is(loads, 1);
});

test('a registry that cannot be read is read once: every later lookup gives the same error', (t) => {
  let loads = 0;
  const lookup = createOuiLookup(() => { loads++; return buildOuiIndex(Buffer.from('{"F0D1A9": "Apple, Inc.\\nx", oops')); });
  const first = t.throws(() => lookup.vendorOf('f0:d1:a9:12:34:56'));
  const again = t.throws(() => lookup.vendorOf('00:11:32:00:00:01'));
  t.is(again?.message, first?.message);
  t.is(lookup.vendorOf('02:d1:a9:00:00:01'), null, 'a random MAC still needs no registry');
  t.is(loads, 1);
  t.false(lookup.loaded());
});

test('the real oui-data registry knows Apple, Synology and Seiko Epson', (t) => {
  const lookup = createOuiLookup();
  t.is(lookup.vendorOf('f0:d1:a9:00:00:01'), 'Apple, Inc.');
  t.is(lookup.vendorOf('00:11:32:00:00:01'), 'Synology Incorporated');
  t.regex(lookup.vendorOf('00:26:ab:00:00:01') ?? '', /Seiko Epson/i);
});
