import test from 'ava';
import fc from 'fast-check';
import { octetCounted, OctetCountingReader, parseRelpResponse, relpFrame, RelpProtocolError, RelpReader, FramingError } from '../../../firmware/src/upstream/framing.js';

test('octet counting: "LEN SP MSG" with the byte length, not the character count', (t) => {
  t.is(octetCounted(Buffer.from('<13>1 - - - - - - あ')).toString(), '21 <13>1 - - - - - - あ');
});

test('property: octet-counted frames split anywhere read back as the same messages', (t) => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 20 }), fc.array(fc.nat(400)), (msgs, cuts) => {
    const bytes = Buffer.concat(msgs.map((m) => octetCounted(Buffer.from(m))));
    const r = new OctetCountingReader();
    const out: Buffer[] = [];
    let at = 0;
    for (const c of [...cuts, bytes.length]) {
      const end = Math.min(bytes.length, at + c);
      out.push(...r.push(bytes.subarray(at, end)));
      at = end;
    }
    return out.length === msgs.length && out.every((o, i) => Buffer.compare(o, Buffer.from(msgs[i]!)) === 0);
  }));
  t.pass();
});

test('octet counting reader refuses a bad or huge length', (t) => {
  t.throws(() => new OctetCountingReader().push(Buffer.from('012 abc')), { instanceOf: FramingError });
  t.throws(() => new OctetCountingReader(100).push(Buffer.from('101 x')), { instanceOf: FramingError });
  t.throws(() => new OctetCountingReader().push(Buffer.from('<13>1 no length at all')), { instanceOf: FramingError });
});

test('RELP frames: with data, without data, and the librelp open offer', (t) => {
  t.is(relpFrame(1, 'open', 'relp_version=0\ncommands=syslog').toString(), '1 open 30 relp_version=0\ncommands=syslog\n');
  t.is(relpFrame(7, 'close').toString(), '7 close 0\n');
  const r = new RelpReader();
  const offer = '200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog';
  const frames = r.push(Buffer.from(`1 rsp ${offer.length} ${offer}\n2 rsp 6 200 OK\n0 serverclose 0\n`));
  t.deepEqual(frames.map((f) => [f.txnr, f.command]), [[1, 'rsp'], [2, 'rsp'], [0, 'serverclose']]);
  t.deepEqual(parseRelpResponse(frames[1]!.data), { code: 200, text: 'OK', rest: '' });
  t.regex(parseRelpResponse(frames[0]!.data).rest, /commands=syslog/);
});

test('property: RELP frames split anywhere read back the same', (t) => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 999_999_999 }), fc.constantFrom('rsp', 'syslog', 'close'), fc.uint8Array({ maxLength: 200 })), { maxLength: 10 }), fc.nat(50), (fs, step) => {
    const bytes = Buffer.concat(fs.map(([n, c, d]) => relpFrame(n, c, Buffer.from(d))));
    const r = new RelpReader();
    const out = [];
    for (let i = 0; i < bytes.length; i += step + 1) out.push(...r.push(bytes.subarray(i, i + step + 1)));
    return out.length === fs.length && out.every((f, i) => f.txnr === fs[i]![0] && f.command === fs[i]![1] && Buffer.compare(f.data, Buffer.from(fs[i]![2])) === 0);
  }));
  t.pass();
});

test('a hostile RELP server: malformed, oversized or unterminated frames are protocol errors', (t) => {
  for (const bad of ['x rsp 6 200 OK\n', '1 RSP 6 200 OK\n', '1 rsp 6 200 OKX', '1 rsp 0 200\n', '1 rsp 5\n', '1 rsp 9999999999 x', `${'9'.repeat(70)}`]) {
    t.throws(() => new RelpReader().push(Buffer.from(bad)), { instanceOf: RelpProtocolError }, bad);
  }
  t.throws(() => new RelpReader(1000).push(Buffer.from('1 rsp 1001 ')), { instanceOf: RelpProtocolError });
  t.throws(() => parseRelpResponse(Buffer.from('OK')), { instanceOf: RelpProtocolError });
});
