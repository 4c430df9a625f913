import test from 'ava';
import fc from 'fast-check';
import { parseDnsResponse, readName, type DnsParseResult } from '../../../firmware/src/dns/wire.js';
import { answerFor, encodeDns } from '../../helpers/dnsWire.js';

const ok = (r: DnsParseResult) => { if (!r.ok) throw new Error(`refused: ${r.reason}`); return r.response; };
const reason = (r: DnsParseResult): string => (r.ok ? 'ok' : r.reason);

// Header: id 0xbeef, QR=1 RD=1 RA=1 rcode 0, 1 question, 2 answers, 0 authority, 0 additional.
const HEADER = [0xbe, 0xef, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0];
// Question at offset 12: c2.example. A IN
const QUESTION = [2, 0x63, 0x32, 7, ...Buffer.from('example'), 0, 0, 1, 0, 1];
// Answers: owner = pointer to 12; type A, class IN, TTL 3600, rdlength 4, 198.51.100.66
const A1 = [0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 198, 51, 100, 66];
const A2 = [0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 198, 51, 100, 67];
const BYTES = Uint8Array.from([...HEADER, ...QUESTION, ...A1, ...A2]);

test('a hand-built answer: two A records behind a compression pointer', (t) => {
  const r = ok(parseDnsResponse(BYTES));
  t.is(r.id, 0xbeef);
  t.is(r.qname, 'c2.example');
  t.is(r.qtype, 1);
  t.deepEqual(r.addresses, [
    { ip: '198.51.100.66', family: 4, name: 'c2.example', canonical: undefined, ttl: 3600 },
    { ip: '198.51.100.67', family: 4, name: 'c2.example', canonical: undefined, ttl: 3600 },
  ]);
});

test('AAAA answers print like flow records (inet_ntop: RFC 5952 compression, lower case)', (t) => {
  const r = ok(parseDnsResponse(answerFor('v6.example', ['2001:db8::1', '2001:db8:0:1:0:0:0:abcd', '2001:db8:1:2:3:4:5:6', '2001:0:0:1:0:0:0:1'])));
  t.deepEqual(r.addresses.map((a) => [a.ip, a.family]), [
    ['2001:db8::1', 6], ['2001:db8:0:1::abcd', 6], ['2001:db8:1:2:3:4:5:6', 6], ['2001:0:0:1::1', 6],
  ]);
});

test('a CNAME chain maps every address to the queried name and keeps the chain end', (t) => {
  const msg = answerFor('client.wns.notify.windows.com', ['203.0.113.200', '203.0.113.201'], { cnames: ['wns.notify.trafficmanager.net', 'bn3p.wns.windows.com'], ttl: 60 });
  const r = ok(parseDnsResponse(msg));
  t.is(r.addresses.length, 2);
  for (const a of r.addresses) {
    t.is(a.name, 'client.wns.notify.windows.com');
    t.is(a.canonical, 'bn3p.wns.windows.com');
    t.is(a.ttl, 60);
  }
});

test('records outside the chain are ignored: a hostile server cannot name other addresses', (t) => {
  const r = ok(parseDnsResponse(encodeDns({
    question: { name: 'evil.example' },
    answers: [
      { name: 'evil.example', type: 'A', data: '198.51.100.66' },
      { name: 'download.windowsupdate.com', type: 'A', data: '198.51.100.99' },
      { name: 'other.example', type: 'CNAME', data: 'x.example' },
    ],
  })));
  t.deepEqual(r.addresses.map((a) => a.ip), ['198.51.100.66']);
  t.is(r.ignored, 2);
});

test('a CNAME target naming an allowlisted service does not change the name of the address', (t) => {
  const r = ok(parseDnsResponse(answerFor('evil.example', ['198.51.100.66'], { cnames: ['client.wns.notify.windows.com'] })));
  t.is(r.addresses[0]!.name, 'evil.example');
});

test('names are lower-cased; uncompressed messages parse the same', (t) => {
  const a = ok(parseDnsResponse(encodeDns({ question: { name: 'WWW.Example.COM' }, answers: [{ name: 'www.example.com', type: 'A', data: '192.0.2.1' }], compress: false })));
  const b = ok(parseDnsResponse(encodeDns({ question: { name: 'www.example.com' }, answers: [{ name: 'WWW.EXAMPLE.COM', type: 'A', data: '192.0.2.1' }] })));
  t.is(a.qname, 'www.example.com');
  t.deepEqual(a.addresses, b.addresses);
});

test('other record types and classes are skipped, not refused', (t) => {
  const r = ok(parseDnsResponse(encodeDns({
    question: { name: 'mail.example', type: 15 },
    answers: [
      { name: 'mail.example', type: 15, data: Uint8Array.from([0, 10, 0]) },
      { name: 'mail.example', type: 'A', data: '192.0.2.7', cls: 3 },
      { name: 'mail.example', type: 'A', data: '192.0.2.8' },
    ],
  })));
  t.deepEqual(r.addresses.map((a) => a.ip), ['192.0.2.8']);
  t.is(r.ignored, 2);
});

test('TTLs with the top bit set count as 0 (RFC 2181)', (t) => {
  const r = ok(parseDnsResponse(answerFor('a.example', ['192.0.2.1'], { ttl: 0x80000001 })));
  t.is(r.addresses[0]!.ttl, 0);
});

test('refusals: query, other opcode, TC, rcode, no question, impossible counts', (t) => {
  t.is(reason(parseDnsResponse(encodeDns({ qr: false, question: { name: 'a.example' } }))), 'not_response');
  t.is(reason(parseDnsResponse(encodeDns({ opcode: 2, question: { name: 'a.example' } }))), 'not_query');
  t.is(reason(parseDnsResponse(encodeDns({ tc: true, question: { name: 'a.example' } }))), 'tc');
  t.is(reason(parseDnsResponse(encodeDns({ rcode: 3, question: { name: 'a.example' } }))), 'rcode');
  t.is(reason(parseDnsResponse(encodeDns({ question: null }))), 'bad_counts');
  const lying = Uint8Array.from(BYTES); lying[7] = 200; // 200 answers in a 60-byte message
  t.is(reason(parseDnsResponse(lying)), 'bad_counts');
  const lying2 = Uint8Array.from(BYTES); lying2[7] = 3; // one answer more than present
  t.is(reason(parseDnsResponse(lying2)), 'truncated');
  t.is(reason(parseDnsResponse(Uint8Array.from([1, 2, 3]))), 'truncated');
});

test('refusals: wrong A/AAAA sizes and malformed CNAME data', (t) => {
  t.is(reason(parseDnsResponse(encodeDns({ question: { name: 'a.example' }, answers: [{ name: 'a.example', type: 'A', data: Uint8Array.from([1, 2, 3]) }] }))), 'bad_rdata');
  t.is(reason(parseDnsResponse(encodeDns({ question: { name: 'a.example' }, answers: [{ name: 'a.example', type: 'AAAA', data: Uint8Array.from([1, 2, 3, 4]) }] }))), 'bad_rdata');
  // CNAME whose rdata holds a name plus trailing junk.
  t.is(reason(parseDnsResponse(encodeDns({ question: { name: 'a.example' }, answers: [{ name: 'a.example', type: 'CNAME', data: Uint8Array.from([1, 0x62, 0, 9, 9]) }] }))), 'bad_rdata');
});

test('compression pointers: loops, self and forward pointers are refused', (t) => {
  const withOwner = (owner: number[]): Uint8Array => Uint8Array.from([...HEADER.slice(0, 7), 1, 0, 0, 0, 0, ...QUESTION, ...owner, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4]);
  const at = 12 + QUESTION.length; // offset of the answer's owner
  t.is(reason(parseDnsResponse(withOwner([0xc0, at]))), 'bad_pointer'); // points at itself
  t.is(reason(parseDnsResponse(withOwner([0xc0, at + 2]))), 'bad_pointer'); // forward
  t.is(reason(parseDnsResponse(withOwner([1, 0x61, 0xc0, at]))), 'bad_pointer'); // loop back to its own start
  // Two names pointing at each other: A at 12 → B, B → A.
  const loop = Uint8Array.from([...HEADER.slice(0, 5), 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 0xc0, 12, 0, 1, 0, 1]);
  t.is(reason(parseDnsResponse(loop)), 'bad_pointer');
  t.deepEqual(readName(withOwner([0xc0, 12 + 3]), at), { name: 'example', next: at + 2 });
});

test('label and name limits: 63-byte labels, 255-byte names, reserved label types', (t) => {
  const l63 = 'a'.repeat(63);
  t.is(ok(parseDnsResponse(answerFor(`${l63}.example`, ['192.0.2.1']))).qname, `${l63}.example`);
  t.is(reason(parseDnsResponse(encodeDns({ question: { name: `${'a'.repeat(64)}.example` } }))), 'bad_label');
  const max = Array.from({ length: 4 }, () => 'b'.repeat(62)).join('.'); // 4 × 63 + 1 = 253 bytes
  t.is(ok(parseDnsResponse(encodeDns({ question: { name: max } }))).qname, max);
  t.is(reason(parseDnsResponse(encodeDns({ question: { name: `${max}.cc` } }))), 'name_too_long');
  const reserved = Uint8Array.from([...HEADER.slice(0, 7), 0, 0, 0, 0, 0, 0x41, 0x61, 0, 0, 1, 0, 1]);
  t.is(reason(parseDnsResponse(reserved)), 'bad_label');
});

test('bytes outside printable ASCII (and dots inside a label) are refused', (t) => {
  for (const bad of ['a\u0000b', 'a b', 'a\u001bb', 'caf\u00e9', 'a.b']) {
    const msg = Uint8Array.from([...HEADER.slice(0, 7), 0, 0, 0, 0, 0, bad.length, ...Buffer.from(bad, 'latin1'), 7, ...Buffer.from('example'), 0, 0, 1, 0, 1]);
    t.is(reason(parseDnsResponse(msg)), 'bad_chars', JSON.stringify(bad));
  }
});

test('property: random bytes never throw', (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => { parseDnsResponse(b); }), { numRuns: 3000 });
  // Random bodies behind a plausible response header reach the name and record code.
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat(8), (b, an) => {
    parseDnsResponse(Uint8Array.from([0, 1, 0x81, 0x80, 0, 1, 0, an, 0, 0, 0, 0, ...b]));
  }), { numRuns: 3000 });
  t.pass();
});

const nameArb = fc.array(fc.stringMatching(/^[a-z0-9-]{1,20}$/), { minLength: 1, maxLength: 5 }).map((ls) => ls.join('.'));
const v4Arb = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));

test('property: valid messages round-trip; every truncation and byte flip is refused or parsed, never thrown', (t) => {
  fc.assert(fc.property(nameArb, fc.uniqueArray(nameArb, { maxLength: 3 }), fc.array(v4Arb, { minLength: 1, maxLength: 4 }), fc.nat(), fc.nat(255), (name, cnames, ips, cut, flip) => {
    // A chain that names itself again is a loop no resolver sends (the parser stops it).
    fc.pre(!cnames.includes(name));
    const msg = answerFor(name, ips, { cnames });
    const r = parseDnsResponse(msg);
    if (!r.ok) return false;
    if (r.response.addresses.map((a) => a.ip).join() !== ips.join() || r.response.addresses.some((a) => a.name !== name)) return false;
    // Every record is needed to reach the end: a cut message is always refused as cut short.
    const short = parseDnsResponse(msg.subarray(0, cut % msg.length));
    if (short.ok || (short.reason !== 'truncated' && short.reason !== 'bad_counts')) return false;
    const flipped = Uint8Array.from(msg); flipped[cut % msg.length] = flip;
    parseDnsResponse(flipped);
    return true;
  }), { numRuns: 2000 });
  t.pass();
});
