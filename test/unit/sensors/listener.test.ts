import test from 'ava';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import type { SensorEvent } from '../../../firmware/src/sensors/events.js';
import { UdpEventListener } from '../../../firmware/src/sensors/listener.js';
import { ulogdParsers } from '../../../firmware/src/sensors/parsers.js';

const lines = (name: string): string[] =>
  readFileSync(new URL(`../../fixtures/ulogd/${name}`, import.meta.url), 'utf8').split('\n').filter((l) => l !== '');

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met before deadline');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function make(events: SensorEvent[], extra: Partial<ConstructorParameters<typeof UdpEventListener>[0]> = {}): UdpEventListener {
  return new UdpEventListener({ port: 0, parsers: ulogdParsers(), onEvent: (e) => events.push(e), now: () => 42, ...extra });
}

test('real datagrams over a real socket become typed events', async (t) => {
  const events: SensorEvent[] = [];
  const l = make(events);
  const port = await l.start();
  t.teardown(() => l.stop());
  t.true(port > 0);
  const sock = dgram.createSocket('udp4');
  t.teardown(() => sock.close());
  const pk = lines('nflog-packets.jsonl');
  const fl = lines('nfct-destroy.jsonl');
  for (const m of [...pk, ...fl]) sock.send(m, port, '127.0.0.1');
  await until(() => l.counters().received === pk.length + fl.length);
  const c = l.counters();
  t.is(c.dispatched, pk.length + fl.length);
  t.deepEqual(c.malformed, {});
  t.is(events.filter((e) => e.type === 'packet').length, pk.length);
  const flow = events.find((e) => e.type === 'flow');
  t.is(flow?.type === 'flow' ? flow.phase : undefined, 'end');
});

test('garbage, huge, non-JSON, binary and wrong shapes are counted and dropped', async (t) => {
  const events: SensorEvent[] = [];
  const l = make(events, { maxDatagramBytes: 4096 });
  const port = await l.start();
  t.teardown(() => l.stop());
  const sock = dgram.createSocket('udp4');
  t.teardown(() => sock.close());
  const good = lines('nflog-packets.jsonl')[0] as string;
  const bad: (string | Buffer)[] = [
    'not json at all',
    Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x7f]),
    '{"oob.prefix": "utm:x", ',
    '[1,2,3]',
    'null',
    '"a string"',
    JSON.stringify({ hello: 'world' }),
    'x'.repeat(5000),
    '['.repeat(3000),
    JSON.stringify({ ...JSON.parse(good), src_ip: 'example.com' }),
    JSON.stringify({ 'ct.event': 99 }),
    '',
  ];
  for (const b of bad) sock.send(b, port, '127.0.0.1');
  sock.send(good, port, '127.0.0.1');
  await until(() => l.counters().received === bad.length + 1);
  const c = l.counters();
  t.is(c.dispatched, 1);
  t.is(c.unhandled, 1);
  t.deepEqual(c.malformed, {
    'not-json': 5, // text, binary, truncated object, 3000 '[' , empty datagram
    'not-object': 3,
    'too-large': 1,
    'nflog:bad-address': 1,
    'nfct:bad_event': 1,
  });
  t.is(events.length, 1);
});

test('datagrams not from 127.0.0.1 are dropped and counted', (t) => {
  const events: SensorEvent[] = [];
  const l = make(events);
  l.handleDatagram(Buffer.from(lines('nflog-packets.jsonl')[0] as string), '192.0.2.66');
  t.is(l.counters().foreignSource, 1);
  t.is(events.length, 0);
});

test('a throwing event handler is counted, not propagated', (t) => {
  const l = new UdpEventListener({
    port: 0, parsers: ulogdParsers(), now: () => 0,
    onEvent: () => { throw new Error('downstream bug'); },
  });
  t.notThrows(() => l.handleDatagram(Buffer.from(lines('nflog-packets.jsonl')[0] as string), '127.0.0.1'));
  t.is(l.counters().handlerErrors, 1);
});

test('binding a port already in use rejects with ListenerError', async (t) => {
  const a = make([]);
  const port = await a.start();
  t.teardown(() => a.stop());
  const b = make([], { port });
  await t.throwsAsync(() => b.start(), { name: 'ListenerError' });
});

test('receive buffer is enlarged beyond the default', async (t) => {
  const l = make([], { recvBufferSize: 1 << 20 });
  await l.start();
  t.teardown(() => l.stop());
  t.true(l.recvBufferSize() >= 1 << 18, `got ${l.recvBufferSize()}`);
});
