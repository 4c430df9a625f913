import test from 'ava';
import fc from 'fast-check';
import { formatRfc5424, MAX_DATAGRAM, sdValue, type SyslogMessage } from '../../../firmware/src/upstream/rfc5424.js';

const msg = (over: Partial<SyslogMessage> = {}): SyslogMessage => ({
  facility: 16, severity: 2, timestamp: Date.UTC(2026, 10, 26, 4, 5, 6, 7), hostname: 'box-0001',
  appName: 'otasuke-utm', msgId: 'blocklist_hit', sd: [{ id: 'utm@32473', params: { alert: 12, remote: '203.0.113.66' } }],
  msg: '危険なサーバーへの接続を止めました', ...over,
});

test('header, structured data and a BOM-marked UTF-8 message in RFC 5424 order', (t) => {
  const b = formatRfc5424(msg());
  const s = b.toString('utf8');
  t.true(s.startsWith('<130>1 2026-11-26T04:05:06.007Z box-0001 otasuke-utm - blocklist_hit [utm@32473 alert="12" remote="203.0.113.66"] '));
  const i = b.indexOf(Buffer.from([0xef, 0xbb, 0xbf]));
  t.true(i > 0);
  t.is(b.subarray(i + 3).toString('utf8'), '危険なサーバーへの接続を止めました');
});

test('hostile values cannot break out of structured data or add lines', (t) => {
  const s = formatRfc5424(msg({ hostname: 'evil host\n', sd: [{ id: 'utm@32473', params: { name: 'a"] [x@1 y="z\\\n' } }], msg: 'line1\nline2\r\u0000' })).toString('utf8');
  t.false(s.includes('\n'));
  t.true(s.includes('evilhost '));
  t.true(s.includes('name="a\\"\\] [x@1 y=\\"z\\\\ "'));
});

test('a device name cannot reorder the monitoring centre\'s view with bidi controls', (t) => {
  const s = formatRfc5424(msg({ sd: [{ id: 'utm@32473', params: { deviceHostname: '<b>\u202eenohPi\u2066x\u2069\u200f' } }], msg: 'x' })).toString('utf8');
  t.true(s.includes('deviceHostname="<b> enohPi x  "'));
  t.false(/[\u202a-\u202e\u2066-\u2069\u200e\u200f]/.test(s));
});

test('property: SD-PARAM values never contain an unescaped quote, bracket or backslash', (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (v) => {
      const e = sdValue(v);
      // Remove escaped pairs; nothing special may remain.
      return !/["\]\\]/.test(e.replace(/\\["\]\\]/g, ''));
    }),
  );
  t.pass();
});

test('long messages are cut to the datagram limit on a character boundary', (t) => {
  const b = formatRfc5424(msg({ msg: 'あ'.repeat(5000) }));
  t.true(b.length <= MAX_DATAGRAM);
  t.notThrows(() => new TextDecoder('utf-8', { fatal: true }).decode(b));
});
