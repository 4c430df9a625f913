// The sink: numbering, RFC 5424 with [meta sequenceId] and our own element, hostile values
// kept inside structured data, numbers persisted across reopen, and the bounded outbox's
// overflow policy (statistics first, alerts last, counted per class, one notice when back).
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { OutboxRepo } from '../../../firmware/src/upstream/outboxRepo.js';
import { formatUpstream, metaSequenceId, OutboxSink } from '../../../firmware/src/upstream/sink.js';
import { MAX_DATAGRAM } from '../../../firmware/src/upstream/rfc5424.js';
import type { MessageClass, UpstreamMessage } from '../../../firmware/src/upstream/contract.js';

const msg = (over: Partial<UpstreamMessage> = {}): UpstreamMessage => ({ class: 'alert', msgId: 'beacon', severity: 2, timestamp: Date.UTC(2026, 11, 1), sd: [], text: 'x', ...over });

/** A strict reader of RFC 5424 STRUCTURED-DATA (§6.3): returns the elements, throws on anything else. */
function parseSd(line: string): { sd: [string, Record<string, string>][]; rest: string } {
  const m = /^<\d{1,3}>1 \S+ \S+ \S+ \S+ \S+ /.exec(line);
  if (!m) throw new Error('bad header');
  let i = m[0].length;
  const out: [string, Record<string, string>][] = [];
  while (line[i] === '[') {
    i++;
    const id = /^[!-~]+?(?=[ \]])/.exec(line.slice(i))![0];
    i += id.length;
    const params: Record<string, string> = {};
    while (line[i] === ' ') {
      const name = /^[^= \]"]{1,32}(?==")/.exec(line.slice(i + 1));
      if (!name) throw new Error(`bad param at ${i}`);
      i += 1 + name[0].length + 2;
      let v = '';
      for (;;) {
        const c = line[i++];
        if (c === undefined) throw new Error('unterminated value');
        if (c === '\\' && ['"', '\\', ']'].includes(line[i]!)) v += line[i++];
        else if (c === '"') break;
        else if (c === ']' ) throw new Error('unescaped ] in value');
        else v += c;
      }
      params[name[0]] = v;
    }
    if (line[i++] !== ']') throw new Error(`element not closed at ${i}`);
    out.push([id, params]);
  }
  return { sd: out, rest: line.slice(i) };
}

test('every message carries its number in [meta sequenceId] and in utmMsg@32473, first', (t) => {
  const s = formatUpstream(msg({ sd: [{ id: 'utm@32473', params: { kind: 'beacon' } }] }), 42, 'box-1').toString();
  t.true(s.startsWith('<130>1 2026-12-01T00:00:00.000Z box-1 otasuke-utm - beacon [meta sequenceId="42"][utmMsg@32473 seq="42" class="alert"][utm@32473 kind="beacon"] '));
  t.is(metaSequenceId(2_147_483_647), 2_147_483_647);
  t.is(metaSequenceId(2_147_483_648), 1, 'meta sequenceId wraps as RFC 5424 §7.3.1 says; our element keeps the full number');
});

test('hostile SD values (], ", \\, newline, NUL, 10 kB) stay inside their element; the message stays one line within 2048 octets', (t) => {
  const hostile = ['a]b', 'a"b', 'a\\b', 'a\nb', 'a\u0000b', 'x'.repeat(10_240), ']"\\\n\u0000'.repeat(2000), '\\', '"]', '\u2028'];
  for (const v of hostile) {
    const b = formatUpstream(msg({ sd: [{ id: 'utm@32473', params: { remoteName: v, kind: 'k' } }], text: v }), 7, 'box-1');
    const line = b.toString('utf8');
    t.true(b.length <= MAX_DATAGRAM, `${b.length} octets`);
    t.false(/[\n\r\u0000]/.test(line));
    const { sd } = parseSd(line);
    t.deepEqual(sd.map(([id]) => id), ['meta', 'utmMsg@32473', 'utm@32473'], JSON.stringify(v.slice(0, 20)));
    t.is(sd[1]![1]['seq'], '7');
    t.is(sd[2]![1]['kind'], 'k', 'the param after the hostile one is intact');
    const got = sd[2]![1]['remoteName']!;
    t.true(got.length > 0 && got.length <= 1024);
    t.true(v.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').startsWith(got), 'the value reads back as a prefix of what was given (controls as spaces)');
  }
});

test('many long params: values are shortened, never cut inside an element, the numbers always kept', (t) => {
  const params = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`p${i}`, 'v'.repeat(500)]));
  const b = formatUpstream(msg({ sd: [{ id: 'utm@32473', params }] }), 9, 'box');
  t.true(b.length <= MAX_DATAGRAM);
  const { sd } = parseSd(b.toString());
  t.is(sd[0]![1]['sequenceId'], '9');
  t.is(sd[1]![1]['seq'], '9');
});

test('sequence numbers persist across close and reopen and are never given twice', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-seq-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'utm.db');
  const numbers: number[] = [];
  for (let round = 0; round < 3; round++) {
    const db = openDb(file, everyMigration);
    const outbox = new OutboxRepo(db);
    const sink = new OutboxSink({ outbox, deviceId: 'b', now: () => 1, maxMessages: 1000, maxBytes: 1 << 20 });
    for (let i = 0; i < 5; i++) numbers.push(sink.enqueue(msg()));
    outbox.confirmThrough(numbers[numbers.length - 1]!, 2);
    outbox.prune(3); // confirmed rows go, the counter stays
    db.close();
  }
  t.deepEqual(numbers, Array.from({ length: 15 }, (_, i) => i + 1));
});

test('a full outbox drops statistics first and alerts last, counts per class, and sends one notice when the link is back', (t) => {
  const db = openDb(':memory:', everyMigration);
  const outbox = new OutboxRepo(db);
  const sink = new OutboxSink({ outbox, deviceId: 'b', now: () => 5, maxMessages: 100, maxBytes: 1 << 20, language: 'en' });
  const order: MessageClass[] = ['alert', 'stats', 'heartbeat', 'condition', 'notice'];
  for (let i = 0; i < 150; i++) sink.enqueue(msg({ class: order[i % 5]! }));
  const p = outbox.pending();
  t.true(p.count <= 100);
  const lost = outbox.losses('total');
  t.is(lost.total, 150 - p.count);
  t.is(lost.byClass.stats, 30, 'every statistics message went first');
  t.true((lost.byClass.heartbeat ?? 0) > 0 && (lost.byClass.heartbeat ?? 0) <= 30, 'then heartbeats');
  t.falsy(lost.byClass.alert, 'no alert was dropped');
  const noticeSeq = sink.reportLosses();
  t.is(noticeSeq, 151);
  const [notice] = outbox.waitingAfter(150, 1);
  t.regex(notice!.payload.toString(), new RegExp(`outbox_overflow \\[meta sequenceId="151"\\]\\[utmMsg@32473 seq="151" class="notice"\\]\\[utmOverflow@32473 lost="${lost.total}"`));
  t.is(sink.reportLosses(), null, 'told once');
  t.is(outbox.losses('total').total, lost.total, 'the total since install stays for the status');
});

test('the byte bound applies too', (t) => {
  const db = openDb(':memory:', everyMigration);
  const outbox = new OutboxRepo(db);
  const sink = new OutboxSink({ outbox, deviceId: 'b', now: () => 5, maxMessages: 100_000, maxBytes: 65_536 });
  for (let i = 0; i < 200; i++) sink.enqueue(msg({ text: 'y'.repeat(1000) }));
  t.true(outbox.pending().bytes <= 65_536);
  t.true((outbox.losses('total').byClass.alert ?? 0) > 0, 'when only alerts wait, the oldest alerts go');
  t.deepEqual(outbox.waitingAfter(0, 1000).map((m) => m.seq).slice(-1), [200], 'the newest stays');
});
