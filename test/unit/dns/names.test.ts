import test from 'ava';
import { NameCache, DEFAULT_MIN_HOLD_MS } from '../../../firmware/src/dns/names.js';
import type { DnsAddress } from '../../../firmware/src/dns/wire.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 25, 0, 0, 0);
const addr = (ip: string, name: string, ttl = 300, canonical?: string): DnsAddress => ({ ip, family: ip.includes(':') ? 6 : 4, name, canonical, ttl });

function cache(o: { cap?: number; minHoldMs?: number; maxHoldMs?: number } = {}) {
  const clock = { t: T0 };
  return { clock, c: new NameCache({ cap: o.cap ?? 100, now: () => clock.t, minHoldMs: o.minHoldMs, maxHoldMs: o.maxHoldMs }) };
}

test('a short TTL is held for the minimum (3 h by default) after the answer, then forgotten', (t) => {
  const { clock, c } = cache();
  c.add([addr('203.0.113.200', 'client.wns.notify.windows.com', 60)], T0);
  clock.t = T0 + 90 * 60_000; // a push connection ends 90 minutes after its lookup
  t.is(c.nameOf('203.0.113.200'), 'client.wns.notify.windows.com');
  clock.t = T0 + DEFAULT_MIN_HOLD_MS;
  t.is(c.nameOf('203.0.113.200'), 'client.wns.notify.windows.com');
  clock.t = T0 + DEFAULT_MIN_HOLD_MS + 1;
  t.is(c.nameOf('203.0.113.200'), undefined);
  t.is(c.counts.expired, 1);
  t.is(c.size, 0);
});

test('a long TTL is held as long as it says, up to the maximum', (t) => {
  const { clock, c } = cache({ minHoldMs: H, maxHoldMs: 24 * H });
  c.add([addr('192.0.2.1', 'a.example', 5 * 3600), addr('192.0.2.2', 'b.example', 7 * 86_400)], T0);
  clock.t = T0 + 5 * H - 1;
  t.is(c.nameOf('192.0.2.1'), 'a.example');
  clock.t = T0 + 5 * H + 1;
  t.is(c.nameOf('192.0.2.1'), undefined);
  clock.t = T0 + 24 * H;
  t.is(c.nameOf('192.0.2.2'), 'b.example');
  clock.t = T0 + 24 * H + 1;
  t.is(c.nameOf('192.0.2.2'), undefined);
});

test('a later answer renews the hold and replaces the name; canonical is kept for evidence', (t) => {
  const { clock, c } = cache({ minHoldMs: H });
  c.add([addr('192.0.2.1', 'old.example', 10)], T0);
  clock.t = T0 + 50 * 60_000;
  c.add([addr('192.0.2.1', 'new.example', 10, 'edge.cdn.example')], clock.t);
  clock.t = T0 + 100 * 60_000;
  t.deepEqual(c.entry('192.0.2.1'), { name: 'new.example', canonical: 'edge.cdn.example', expires: T0 + 110 * 60_000 });
});

test('the cap holds: the least recently used addresses go first', (t) => {
  const { c } = cache({ cap: 100 });
  for (let i = 0; i < 100; i++) c.add([addr(`198.51.100.${i}`, `n${i}.example`)], T0);
  t.is(c.nameOf('198.51.100.0'), 'n0.example'); // touched: survives the next insert
  for (let i = 0; i < 50; i++) c.add([addr(`203.0.113.${i}`, `m${i}.example`)], T0);
  t.is(c.size, 100);
  t.is(c.dropped, 50);
  t.is(c.nameOf('198.51.100.0'), 'n0.example');
  t.is(c.nameOf('198.51.100.1'), undefined);
  t.is(c.nameOf('203.0.113.49'), 'm49.example');
});

test('sweep() drops expired entries; list() shows live ones only', (t) => {
  const { clock, c } = cache({ minHoldMs: H, maxHoldMs: 10 * H });
  c.add([addr('192.0.2.1', 'short.example', 1)], T0);
  c.add([addr('192.0.2.2', 'long.example', 5 * 3600)], T0);
  clock.t = T0 + 2 * H;
  t.deepEqual(c.list(10).map((e) => e.ip), ['192.0.2.2']);
  t.is(c.sweep(), 1);
  t.is(c.size, 1);
});
