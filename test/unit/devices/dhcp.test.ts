import test from 'ava';
import fc from 'fast-check';
import { decodeDhcp, type DhcpErrorReason, type DhcpResult } from '../../../firmware/src/devices/dhcp.js';
import { buildDhcp, clientRequest, opt } from './dhcpBuilder.js';

function ok(r: DhcpResult) {
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}`);
  return r.message;
}

test('decodes a Windows XP style DISCOVER with options 53, 61, 12, 60, 55 in order', (t) => {
  const m = ok(decodeDhcp(clientRequest({
    mac: '00:0c:29:aa:bb:cc', hostname: 'KEIRI-PC', vendorClass: 'MSFT 5.0',
    clientId: [1, 0x00, 0x0c, 0x29, 0xaa, 0xbb, 0xcc], prl: [1, 15, 3, 6, 44, 46, 47, 31, 33, 249, 43],
  })));
  t.is(m.op, 1);
  t.is(m.chaddr, '00:0c:29:aa:bb:cc');
  t.is(m.messageType, 1);
  t.is(m.hostname, 'KEIRI-PC');
  t.is(m.vendorClass, 'MSFT 5.0');
  t.is(m.clientId, '01000c29aabbcc');
  t.deepEqual(m.prl, [1, 15, 3, 6, 44, 46, 47, 31, 33, 249, 43]);
  t.deepEqual(m.optionCodes, [53, 61, 12, 60, 55]);
  t.is(m.overload, 0);
});

test('decodes requested IP, max size and both FQDN encodings', (t) => {
  const ascii = ok(decodeDhcp(buildDhcp({ options: [[53, [3]], [50, [192, 168, 1, 23]], [57, [0x05, 0xdc]], [81, [0, 0, 0, ...Buffer.from('pc1.example')]]] })));
  t.is(ascii.requestedIp, '192.168.1.23');
  t.is(ascii.maxSize, 1500);
  t.deepEqual(ascii.fqdn, { flags: 0, rcode1: 0, rcode2: 0, name: 'pc1.example', encoding: 'ascii' });
  const wire = ok(decodeDhcp(buildDhcp({ options: [[53, [3]], [81, [0x05, 255, 255, 3, ...Buffer.from('pc1'), 7, ...Buffer.from('example'), 0]]] })));
  t.deepEqual(wire.fqdn, { flags: 5, rcode1: 255, rcode2: 255, name: 'pc1.example', encoding: 'wire' });
});

test('pads are skipped, missing END is tolerated, repeated options are concatenated (RFC 3396)', (t) => {
  const m = ok(decodeDhcp(buildDhcp({ raw: [0, 0, ...opt(53, [1]), 0, ...opt(55, [1, 3]), ...opt(55, [6, 15])], end: false })));
  t.deepEqual(m.prl, [1, 3, 6, 15]);
  t.deepEqual(m.optionCodes, [53, 55]);
});

test('option overload (52) reads file then sname', (t) => {
  const m = ok(decodeDhcp(buildDhcp({
    options: [[53, [1]], [52, [3]]],
    file: [...opt(55, [1, 3, 6]), 255],
    sname: [...opt(12, 'from-sname'), 255],
  })));
  t.is(m.overload, 3);
  t.deepEqual(m.prl, [1, 3, 6]);
  t.is(m.hostname, 'from-sname');
});

const malformed: Array<[string, Uint8Array, DhcpErrorReason]> = [
  ['empty', new Uint8Array(0), 'truncated_header'],
  ['header cut at 100 bytes', buildDhcp().subarray(0, 100), 'truncated_header'],
  ['header without cookie', buildDhcp({ cookie: null }), 'truncated_header'],
  ['wrong cookie', buildDhcp({ cookie: 0x63825364 }), 'missing_cookie'],
  ['op 7', buildDhcp({ op: 7 }), 'bad_header'],
  ['hlen 200', buildDhcp({ hlen: 200 }), 'bad_header'],
  ['option code without length', buildDhcp({ raw: [53], end: false }), 'truncated_option'],
  ['option value past the end', buildDhcp({ raw: [55, 10, 1, 3], end: false }), 'truncated_option'],
  ['message type length 2', buildDhcp({ options: [[53, [1, 1]]] }), 'bad_option_length'],
  ['requested IP length 3', buildDhcp({ options: [[50, [10, 0, 0]]] }), 'bad_option_length'],
  ['max size length 1', buildDhcp({ options: [[57, [5]]] }), 'bad_option_length'],
  ['empty hostname', buildDhcp({ options: [[12, []]] }), 'bad_option_length'],
  ['client id of one byte', buildDhcp({ options: [[61, [1]]] }), 'bad_option_length'],
  ['fqdn shorter than 3', buildDhcp({ options: [[81, [0, 0]]] }), 'bad_option_length'],
  ['overload value 4', buildDhcp({ options: [[52, [4]]] }), 'bad_overload'],
  ['overload length 2', buildDhcp({ options: [[52, [1, 1]]] }), 'bad_option_length'],
  ['overload inside file (loop)', buildDhcp({ options: [[52, [1]]], file: [52, 1, 1, 255] }), 'overload_loop'],
  ['overload inside sname (loop)', buildDhcp({ options: [[52, [2]]], sname: [52, 1, 3, 255] }), 'overload_loop'],
  ['option past end of file area', buildDhcp({ options: [[52, [1]]], file: [...new Array(126).fill(0), 55, 9] }), 'truncated_option'],
  ['fqdn label past end', buildDhcp({ options: [[81, [4, 0, 0, 9, 97]]] }), 'bad_fqdn'],
  ['fqdn label longer than 63', buildDhcp({ options: [[81, [4, 0, 0, 64, ...new Array(64).fill(97)]]] }), 'bad_fqdn'],
];
for (const [name, bytes, reason] of malformed) {
  test(`malformed: ${name} → ${reason}`, (t) => {
    const r = decodeDhcp(bytes);
    t.false(r.ok);
    if (!r.ok) t.is(r.reason, reason);
  });
}

test('hostile hostname is length-limited and decoded without throwing', (t) => {
  const long = 'A'.repeat(250);
  t.is(ok(decodeDhcp(buildDhcp({ options: [[12, long]] }))).hostname, 'A'.repeat(64));
  const m = ok(decodeDhcp(buildDhcp({ options: [[12, [0xff, 0xfe, 0x1b, 0x5b, 0x32, 0x4a, 0, 0]]] })));
  t.is(m.hostname, '\ufffd\ufffd\u001b[2J'); // raw kept; escaping happens at output
  t.is(ok(decodeDhcp(buildDhcp({ options: [[12, '<img src=x onerror=alert(1)>']] }))).hostname, '<img src=x onerror=alert(1)>');
});

test('property: any byte string decodes to ok or a typed reason, never throws', (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
    const r = decodeDhcp(b);
    return r.ok || typeof r.reason === 'string';
  }), { numRuns: 2000 });
  // And with a valid header, random option bytes.
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 400 }), (raw) => {
    const r = decodeDhcp(buildDhcp({ raw, end: false }));
    return r.ok || typeof r.reason === 'string';
  }), { numRuns: 2000 });
  t.pass();
});

test('property: options written by the builder come back in order with the same PRL', (t) => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 254 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 8 }), (prl, type) => {
    const m = decodeDhcp(buildDhcp({ options: [[53, [type]], [55, prl]] }));
    return m.ok && m.message.messageType === type && JSON.stringify(m.message.prl) === JSON.stringify(prl);
  }));
  t.pass();
});
